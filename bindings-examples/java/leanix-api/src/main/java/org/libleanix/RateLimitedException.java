package org.libleanix;

/**
 * The API answered 429 and the library did not retry (any more): either its attempts were used
 * up, or the server asked to wait longer than the client's {@code maxRetryAfter} or the call's
 * deadline allows. {@link #retryAfter()} is the server's {@code Retry-After}, if it sent one; an
 * {@link HttpException}, with the server's answer in {@link #response()}.
 *
 * <p>Status {@code LX_ERR_RATE_LIMITED}.
 */
public class RateLimitedException extends HttpException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (429)
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     */
    public RateLimitedException(String message, int httpStatus, long retryAfterMillis) {
        this(message, httpStatus, retryAfterMillis, null);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (429)
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     * @param response the server's answer, or null
     */
    public RateLimitedException(String message, int httpStatus, long retryAfterMillis, LeanixResponse response) {
        super(Status.LX_ERR_RATE_LIMITED, message, httpStatus, retryAfterMillis, response);
    }
}
