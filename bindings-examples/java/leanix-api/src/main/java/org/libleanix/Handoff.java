package org.libleanix;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A result handed from a library thread (or a worker thread) to one waiting thread, which parks
 * ({@link LockSupport#park}) until it arrives: a virtual thread unmounts from its carrier while
 * it waits. If the waiting thread is interrupted, it runs its {@code onInterrupt} action (firing
 * the call's cancel handle) and, unless told to wait for the (then prompt) result, gives up
 * waiting with {@link CancelledException}; a result that arrives after that is passed to the
 * {@code discard} action instead.
 *
 * @param <T> the result
 */
final class Handoff<T> {
    private static final Object ABANDONED = new Object();
    /** A null result, boxed. */
    private static final Object NULL = new Object();

    /** A failure, boxed so that it can travel in {@link #state}. */
    private static final class Failure {
        final RuntimeException error;

        Failure(RuntimeException error) {
            this.error = error;
        }
    }

    private final Thread waiter;
    private final Consumer<T> discard;
    /** null while waiting; then the result, a {@link Failure}, or {@link #ABANDONED}. */
    private final AtomicReference<Object> state = new AtomicReference<>();

    /**
     * @param waiter the thread that will call {@link #await}
     * @param discard what to do with a result nobody waits for any more (free it)
     */
    Handoff(Thread waiter, Consumer<T> discard) {
        this.waiter = waiter;
        this.discard = discard;
    }

    /** @param value the result (may be null) */
    void complete(T value) {
        if (state.compareAndSet(null, value == null ? NULL : value)) {
            LockSupport.unpark(waiter);
        } else if (discard != null && value != null) {
            discard.accept(value);
        }
    }

    /** @param error the failure */
    void fail(RuntimeException error) {
        if (state.compareAndSet(null, new Failure(error))) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Waits for the result.
     *
     * @param onInterrupt run once if the waiting thread is interrupted (the interrupt flag stays set)
     * @param waitAfterInterrupt true: after {@code onInterrupt}, keep waiting (uninterruptibly) for
     *     the result, which the action makes come promptly; false: give up at once
     * @return the result
     * @throws CancelledException if the thread was interrupted and gave up waiting (its flag stays set)
     * @throws RuntimeException the failure handed over
     */
    @SuppressWarnings("unchecked")
    T await(Runnable onInterrupt, boolean waitAfterInterrupt) {
        boolean interrupted = false;
        try {
            while (true) {
                Object s = state.get();
                if (s instanceof Failure) {
                    throw ((Failure) s).error;
                }
                if (s == NULL) {
                    return null;
                }
                if (s != null && s != ABANDONED) {
                    return (T) s;
                }
                if (!interrupted && waiter.isInterrupted()) {
                    interrupted = true;
                    onInterrupt.run();
                    if (!waitAfterInterrupt) {
                        if (state.compareAndSet(null, ABANDONED)) {
                            throw LeanixClient.interrupted(null);
                        }
                        continue;
                    }
                    // Clear the flag while waiting (park returns at once while it is set); set again below.
                    Thread.interrupted();
                    continue;
                }
                LockSupport.park(this);
                if (interrupted) {
                    Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                waiter.interrupt();
            }
        }
    }
}
