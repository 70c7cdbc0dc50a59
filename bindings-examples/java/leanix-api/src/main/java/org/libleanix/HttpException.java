package org.libleanix;

import java.util.List;

/**
 * The API answered an unsuccessful HTTP status (400, 409, 500, a 503 after the retries, ...);
 * {@link #response()} is the server's whole answer: status, headers and the body, which for a
 * refused LeanIX write holds the explanation (the error envelope
 * {@code {"status":"ERROR","errors":[{"message":...}]}}). The message quotes the server's words.
 *
 * <p>Subclasses name the statuses a caller most often acts on: {@link NotFoundException} (404),
 * {@link UnauthorizedException} (401), {@link ForbiddenException} (403),
 * {@link RateLimitedException} (429) and {@link RedirectException} (a refused redirect), so
 * {@code catch (HttpException e)} catches every answer of the server that was not a success.
 *
 * <p>Status {@code LX_ERR_HTTP} (the subclasses have their own).
 */
public class HttpException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception without a response body (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     */
    public HttpException(String message, int httpStatus, long retryAfterMillis) {
        this(Status.LX_ERR_HTTP, message, httpStatus, retryAfterMillis, null);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     * @param response the server's answer, or null
     */
    public HttpException(String message, int httpStatus, long retryAfterMillis, LeanixResponse response) {
        this(Status.LX_ERR_HTTP, message, httpStatus, retryAfterMillis, response);
    }

    /**
     * For the subclasses.
     *
     * @param code the {@code LX_ERR_*} status
     * @param message the message
     * @param httpStatus the HTTP status
     * @param retryAfterMillis the server's Retry-After in milliseconds, or -1
     * @param response the server's answer, or null
     */
    protected HttpException(int code, String message, int httpStatus, long retryAfterMillis, LeanixResponse response) {
        super(code, message, httpStatus, null, retryAfterMillis);
        this.response = response;
    }

    /**
     * The server's answer: status, headers (e.g. {@code x-request-id}) and body (at most the
     * client's {@code maxResponseBytes}), as it sent them.
     *
     * @return the response; for an exception that went through Java serialization (which does
     *     not carry it), an empty response with {@link #httpStatus()}
     */
    public LeanixResponse response() {
        LeanixResponse r = response;
        return r != null ? r : new LeanixResponse(httpStatus().orElse(0), List.of(), new byte[0]);
    }
}
