package org.libleanix.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every backend's {@link NativeCancel} keeps the same way: {@link #hasFired()} remembers a
 * {@link #fire()} (set before the native fire, so a reader that sees the call end sees it), and
 * {@link #free()} releases the native objects only the first time it is called.
 */
public abstract class OwnedCancel implements NativeCancel {
    private final AtomicBoolean freed = new AtomicBoolean();
    private volatile boolean fired;

    /** For the backends' subclasses. */
    protected OwnedCancel() {}

    /** {@code lx_cancel_fire} of the handle; as {@link #fire()}, never throws. */
    protected abstract void fireNative();

    /** {@code lx_free} of the handle and whatever the backend keeps with it; called once. */
    protected abstract void freeNative();

    @Override
    public final void fire() {
        fired = true;
        fireNative();
    }

    @Override
    public final boolean hasFired() {
        return fired;
    }

    @Override
    public final void free() {
        if (freed.compareAndSet(false, true)) {
            freeNative();
        }
    }
}
