package org.libleanix;

/**
 * The call was cancelled because its client was closed while the call was in flight (by another thread).
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
