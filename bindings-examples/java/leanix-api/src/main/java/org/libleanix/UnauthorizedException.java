package org.libleanix;

/**
 * The API answered 401 even after a fresh access token and one replay of the request, or
 * within {@link LeanixClient.Builder#reauthInterval} of the last exchange a 401 caused (then
 * without a new exchange). An {@link HttpException}, with the server's answer in
 * {@link #response()}.
 *
 * <p>Status {@code LX_ERR_UNAUTHORIZED}.
 */
public class UnauthorizedException extends HttpException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (401)
     */
    public UnauthorizedException(String message, int httpStatus) {
        this(message, httpStatus, null);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (401)
     * @param response the server's answer, or null
     */
    public UnauthorizedException(String message, int httpStatus, LeanixResponse response) {
        super(Status.LX_ERR_UNAUTHORIZED, message, httpStatus, -1, response);
    }
}
