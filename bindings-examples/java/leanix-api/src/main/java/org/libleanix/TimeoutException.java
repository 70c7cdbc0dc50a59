package org.libleanix;

/**
 * A connect, token or request timeout elapsed (see the timeouts of {@link LeanixClient.Builder}).
 *
 * <p>Status {@code LX_ERR_TIMEOUT}.
 */
public class TimeoutException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public TimeoutException(String message) {
        super(Status.LX_ERR_TIMEOUT, message, 0, null, -1);
    }
}
