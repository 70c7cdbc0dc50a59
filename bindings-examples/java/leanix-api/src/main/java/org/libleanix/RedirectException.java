package org.libleanix;

/**
 * A redirect to another origin was refused: credentials never leave the configured host. An
 * {@link HttpException}, with the redirect (status and {@code Location}) in {@link #response()}.
 *
 * <p>Status {@code LX_ERR_REDIRECT}.
 */
public class RedirectException extends HttpException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the redirect status, or 0
     */
    public RedirectException(String message, int httpStatus) {
        this(message, httpStatus, null);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the redirect status, or 0
     * @param response the server's answer, or null
     */
    public RedirectException(String message, int httpStatus, LeanixResponse response) {
        super(Status.LX_ERR_REDIRECT, message, httpStatus, -1, response);
    }
}
