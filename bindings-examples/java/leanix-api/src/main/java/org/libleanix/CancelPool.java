package org.libleanix;

import java.util.ArrayDeque;
import org.libleanix.spi.LeanixBackend;
import org.libleanix.spi.NativeCancel;

/**
 * The idle cancel handles of one client. Making an {@code lx_cancel} costs a pipe and a few
 * system calls (about 10 us, a fifth of a whole request), so a call borrows one that has not
 * fired and gives it back when the native call has ended; a handle that fired is freed instead,
 * never reused. At most {@link #MAX_IDLE} are kept; {@link #close()} frees them.
 *
 * <p>A handle is given back only when nobody can fire it for the call it served any more: a
 * blocking call gives it back after its native call returned (its interrupt hook is removed by
 * then), an asynchronous one when its completion callback ran (and {@link LeanixFuture} fires it
 * only under its own lock, which the release takes too).
 */
final class CancelPool {
    /** Idle handles kept (each holds three descriptors). */
    static final int MAX_IDLE = 32;

    private final LeanixBackend backend;
    private final ArrayDeque<NativeCancel> idle = new ArrayDeque<>();
    private boolean closed;

    CancelPool(LeanixBackend backend) {
        this.backend = backend;
    }

    /** @return an unfired handle, idle or new */
    NativeCancel take() {
        synchronized (this) {
            NativeCancel c = idle.pollFirst();
            if (c != null) {
                return c;
            }
        }
        return backend.newCancel();
    }

    /** @param c a handle whose call has ended: kept if it did not fire, else freed */
    void give(NativeCancel c) {
        if (!c.hasFired()) {
            synchronized (this) {
                if (!closed && idle.size() < MAX_IDLE) {
                    idle.addFirst(c);
                    return;
                }
            }
        }
        c.free();
    }

    /** Frees the idle handles; later ones given back are freed at once. */
    void close() {
        NativeCancel[] all;
        synchronized (this) {
            closed = true;
            all = idle.toArray(new NativeCancel[0]);
            idle.clear();
        }
        for (NativeCancel c : all) {
            c.free();
        }
    }
}
