package org.libleanix;

/**
 * The server's answer is not what LeanIX sends, e.g. a token response that is not JSON or has no token (a proxy or captive portal in between).
 *
 * <p>Status {@code LX_ERR_INVALID_RESPONSE}.
 */
public class InvalidResponseException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status, or 0
     */
    public InvalidResponseException(String message, int httpStatus) {
        super(Status.LX_ERR_INVALID_RESPONSE, message, httpStatus, null, -1);
    }
}
