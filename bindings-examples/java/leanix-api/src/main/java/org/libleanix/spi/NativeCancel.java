package org.libleanix.spi;

/**
 * An {@code lx_cancel}: given to calls through {@link CallSpec}; firing it ends them with
 * {@code LX_ERR_CANCELLED} within milliseconds. Handles are never reused by the library, so
 * firing one that was freed already is harmless (it does nothing).
 *
 * <p>A handle costs a pipe and a few system calls to make, so the binding reuses handles that
 * have not fired for later calls ({@link #hasFired()}); a backend may keep, with the handle, an
 * {@code lx_call_options} that sets only this handle, for calls that need nothing else.
 */
public interface NativeCancel {
    /**
     * {@code lx_cancel_fire}. Any thread, any time, also while holding locks (it does one atomic
     * load and one {@code write(2)}, never blocks); never throws.
     */
    void fire();

    /** @return whether {@link #fire()} was called (then the handle is never used again) */
    boolean hasFired();

    /** {@code lx_free} of the handle. At most once; calls that use it keep their own reference. */
    void free();
}
