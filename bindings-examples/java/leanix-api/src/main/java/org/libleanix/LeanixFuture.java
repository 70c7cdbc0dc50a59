package org.libleanix;

import java.util.concurrent.CompletableFuture;
import org.libleanix.spi.NativeCancel;

/**
 * The future of an asynchronous call: {@link #cancel(boolean) cancel(true)} also fires the
 * call's {@code lx_cancel}, so the native call ends at once (as {@code HttpClient.sendAsync}'s
 * future does); {@code cancel(false)} only completes the future, and the call's result is
 * discarded when it arrives. Dependent stages are plain {@link CompletableFuture}s.
 *
 * @param <T> the result
 */
final class LeanixFuture<T> extends CompletableFuture<T> {
    private final Object lock = new Object();
    /** The call's handle until its callback ran ({@link #release()}); guarded by {@link #lock}. */
    private NativeCancel cancel;

    LeanixFuture(NativeCancel cancel) {
        this.cancel = cancel;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            synchronized (lock) {
                if (cancel != null) {
                    cancel.fire();
                }
            }
        }
        return cancelled;
    }

    /**
     * From the completion callback: the native call has ended, so its handle may serve another
     * call (unless it fired).
     *
     * @return the handle, which this future will not fire any more
     */
    NativeCancel release() {
        synchronized (lock) {
            NativeCancel c = cancel;
            cancel = null;
            return c;
        }
    }
}
