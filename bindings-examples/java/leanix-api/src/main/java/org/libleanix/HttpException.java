package org.libleanix;

/**
 * The API answered an unsuccessful HTTP status not covered by a more specific exception (404, 409, 500, a 503 after the retries, ...); see {@link #httpStatus()}.
 *
 * <p>Status {@code LX_ERR_HTTP}.
 */
public class HttpException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     */
    public HttpException(String message, int httpStatus, long retryAfterMillis) {
        super(Status.LX_ERR_HTTP, message, httpStatus, null, retryAfterMillis);
    }
}
