package org.libleanix;

import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import org.libleanix.spi.NativeCancel;

/**
 * Turns {@link Thread#interrupt()} of a thread blocked in a native call into
 * {@code lx_cancel_fire} of that call's cancel handle, with the JDK's own mechanism for blocking
 * I/O: {@link AbstractInterruptibleChannel}. A thread that is inside {@link #enter()} ..
 * {@link #exit()} is registered with the JDK as blocked on this "channel"; interrupting it (from
 * any thread) makes the JDK call {@link #implCloseChannel()} on the interrupting thread, which
 * fires the handle (one atomic load and one {@code write(2)}: it never blocks). The native call
 * then returns {@code LX_ERR_CANCELLED} within milliseconds. The interrupt flag itself is left
 * set, as for interruptible channels.
 *
 * <p>One object per call; an interrupt that arrived before {@link #enter()} fires at once.
 */
final class InterruptHook extends AbstractInterruptibleChannel {
    private final NativeCancel cancel;
    private volatile boolean fired;

    InterruptHook(NativeCancel cancel) {
        this.cancel = cancel;
    }

    /** Registers the calling thread; call right before the blocking native call. */
    void enter() {
        begin();
    }

    /**
     * Unregisters the thread; call right after the native call, in {@code finally}.
     *
     * @return whether an interrupt fired the handle during the call
     */
    boolean exit() {
        try {
            end(true);
        } catch (AsynchronousCloseException interrupted) {
            // ClosedByInterruptException: reported through the return value
        }
        return fired;
    }

    @Override
    protected void implCloseChannel() {
        fired = true;
        cancel.fire();
    }
}
