package org.libleanix;

/**
 * The API answered 401 even after a fresh access token and one replay of the request.
 *
 * <p>Status {@code LX_ERR_UNAUTHORIZED}.
 */
public class UnauthorizedException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (401)
     */
    public UnauthorizedException(String message, int httpStatus) {
        super(Status.LX_ERR_UNAUTHORIZED, message, httpStatus, null, -1);
    }
}
