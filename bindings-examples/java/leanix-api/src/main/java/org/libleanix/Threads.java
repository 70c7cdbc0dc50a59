package org.libleanix;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Thread helpers: virtual-thread detection on Java 17 bytecode, and the binding's worker pool. */
final class Threads {
    /** {@code Thread.isVirtual()} (Java 21+), or null before. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private Threads() {}

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /**
     * @param t a thread
     * @return whether it is a virtual thread (never on Java 17-20)
     */
    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }

    /** Blocking calls handed to a worker for a virtual thread (see {@link #countOffloaded()}). */
    private static final AtomicLong OFFLOADED = new AtomicLong();

    /**
     * The shared pool of daemon threads ({@code leanix-worker-N}, created on demand, ended after 60 s
     * idle) that completes the futures of clients without an executor of their own, and runs the
     * blocking calls that the C API offers no asynchronous form of (an access token, claims, the
     * API origin, the webhooks' calls, the merged GraphQL walk) for virtual threads, which park
     * meanwhile. Page fetches, writes and LDIF runs are not among them: they have
     * {@code lx_*_pages_next_start}, {@code lx_update_fact_sheet_start} and {@code lx_ldif_*_start}.
     */
    static ExecutorService workers() {
        return Workers.POOL;
    }

    /** Counts one blocking call handed to a worker thread for a virtual thread. */
    static void countOffloaded() {
        OFFLOADED.incrementAndGet();
    }

    /** @return how many blocking calls were handed to worker threads for virtual threads so far (for tests) */
    static long offloaded() {
        return OFFLOADED.get();
    }

    private static final class Workers {
        static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), new ThreadFactory() {
                private final AtomicInteger n = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "leanix-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });
    }
}
