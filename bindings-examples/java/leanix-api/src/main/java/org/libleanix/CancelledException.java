package org.libleanix;

/**
 * The call was cancelled before it ended: the calling thread was interrupted
 * ({@link Thread#interrupt()}; the interrupt flag stays set), its {@code CompletableFuture} was
 * cancelled with {@code cancel(true)}, or its client was closed while the call was in flight.
 * Nothing partial is returned; a write that was already sent may have happened.
 *
 * <p>Status {@code LX_ERR_CANCELLED}.
 */
public class CancelledException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public CancelledException(String message) {
        super(Status.LX_ERR_CANCELLED, message, 0, null, -1);
    }
}
