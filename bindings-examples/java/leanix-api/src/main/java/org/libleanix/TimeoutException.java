package org.libleanix;

/**
 * The call's deadline passed: the client's {@code requestTimeout} or the call's own timeout
 * ({@link LeanixRequest.Builder#timeout}), which covers the token exchange, every attempt and
 * every wait between attempts; or a connect or token-exchange timeout ended the last attempt.
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
