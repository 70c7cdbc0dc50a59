package org.libleanix;

/**
 * The connection could not be made (refused, unreachable, DNS) or broke, after the library's retries.
 *
 * <p>Status {@code LX_ERR_CONNECT}.
 */
public class ConnectException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public ConnectException(String message) {
        super(Status.LX_ERR_CONNECT, message, 0, null, -1);
    }
}
