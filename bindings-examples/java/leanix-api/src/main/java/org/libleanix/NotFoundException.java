package org.libleanix;

/**
 * The API answered 404: the path or the object it names (a fact sheet id, a workspace) does not
 * exist. An {@link HttpException}, with the server's answer in {@link #response()}.
 *
 * <p>Status {@code LX_ERR_HTTP} with HTTP status 404. (The C API's {@code LX_ERR_NOT_FOUND} is
 * something else: an absent header or an error without a response, never a call's outcome.)
 */
public class NotFoundException extends HttpException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     * @param response the server's answer, or null
     */
    public NotFoundException(String message, long retryAfterMillis, LeanixResponse response) {
        super(Status.LX_ERR_HTTP, message, 404, retryAfterMillis, response);
    }
}
