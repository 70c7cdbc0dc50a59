package org.libleanix.spi;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The asynchronous calls in flight, by the number a backend passes to the library as the
 * completion callback's {@code userdata}. Each backend has one static completion callback (a JNA
 * {@code Callback} held in a static field, a Panama upcall stub in the global arena), so nothing
 * per call has to stay reachable for the native side: the handler registered here is held
 * strongly until its callback has run.
 *
 * <p>{@link #deliver} also marks the thread as inside a library callback while the handler runs,
 * as the event dispatch does, so that a blocking call from there fails at once with
 * {@code RecursiveCallException} instead of waiting for itself.
 */
public final class Completions {
    /** Receives the result of one call. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Called once, on a library I/O thread; must return quickly and must take or discard the
         * outcome (or hand it to a thread that will).
         *
         * @param outcome the result
         */
        void completed(NativeOutcome outcome);
    }

    private static final Registry<Handler> PENDING = new Registry<>();
    private static final AtomicLong STRAY = new AtomicLong();
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Completions() {}

    /**
     * @param handler receives the result
     * @return the number to pass as {@code userdata} (never 0)
     */
    public static long register(Handler handler) {
        return PENDING.register(handler);
    }

    /**
     * Forgets a call whose start failed (its callback never runs).
     *
     * @param id the number from {@link #register}
     */
    public static void unregister(long id) {
        PENDING.remove(id);
    }

    /**
     * From a backend's completion callback: hands the outcome to the call's handler, once. Never
     * throws (an exception escaping a Panama upcall would end the JVM). An outcome for a number
     * that is not pending (a second callback for one call, which the library promises never to
     * make) is discarded and counted in {@link #stray()}.
     *
     * @param id the callback's {@code userdata}
     * @param outcome the result
     */
    public static void deliver(long id, NativeOutcome outcome) {
        Handler h = PENDING.remove(id);
        if (h == null) {
            STRAY.incrementAndGet();
            try {
                outcome.discard();
            } catch (Throwable ignored) {
                // nothing to do on a library thread
            }
            return;
        }
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            h.completed(outcome);
        } catch (Throwable t) {
            try {
                Thread.UncaughtExceptionHandler u = Thread.getDefaultUncaughtExceptionHandler();
                if (u != null) {
                    u.uncaughtException(Thread.currentThread(), t);
                }
            } catch (Throwable ignored) {
                // never into native code
            }
        } finally {
            depth[0]--;
        }
    }

    /**
     * Runs code as a library callback (for event dispatch): {@link #inCallback()} is true inside.
     *
     * @param r the code
     */
    public static void runAsCallback(Runnable r) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            r.run();
        } finally {
            depth[0]--;
        }
    }

    /** @return whether this thread is inside a library callback dispatched by this binding */
    public static boolean inCallback() {
        return DEPTH.get()[0] > 0;
    }

    /** @return how many asynchronous calls have been started and not completed */
    public static int pending() {
        return PENDING.size();
    }

    /** @return how many callbacks arrived for calls that were not pending (should stay 0) */
    public static long stray() {
        return STRAY.get();
    }
}
