package org.libleanix;

/**
 * The API answered 403: the API token's user lacks the permission (for example a VIEWER
 * writing). An {@link HttpException}, with the server's answer in {@link #response()}.
 *
 * <p>Status {@code LX_ERR_FORBIDDEN}.
 */
public class ForbiddenException extends HttpException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (403)
     */
    public ForbiddenException(String message, int httpStatus) {
        this(message, httpStatus, null);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (403)
     * @param response the server's answer, or null
     */
    public ForbiddenException(String message, int httpStatus, LeanixResponse response) {
        super(Status.LX_ERR_FORBIDDEN, message, httpStatus, -1, response);
    }
}
