package org.libleanix;

/**
 * The API answered 429 and the library did not retry (any more): either its attempts were used
 * up, or the server asked to wait longer than the client's {@code maxRetryAfter} (60 s by default).
 * {@link #retryAfter()} is the server's {@code Retry-After}, if it sent one.
 *
 * <p>Status {@code LX_ERR_RATE_LIMITED}.
 */
public class RateLimitedException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (429)
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     */
    public RateLimitedException(String message, int httpStatus, long retryAfterMillis) {
        super(Status.LX_ERR_RATE_LIMITED, message, httpStatus, null, retryAfterMillis);
    }
}
