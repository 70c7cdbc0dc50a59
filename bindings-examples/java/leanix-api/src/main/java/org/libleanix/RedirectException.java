package org.libleanix;

/**
 * A redirect to another origin was refused: credentials never leave the configured host.
 *
 * <p>Status {@code LX_ERR_REDIRECT}.
 */
public class RedirectException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the redirect status, or 0
     */
    public RedirectException(String message, int httpStatus) {
        super(Status.LX_ERR_REDIRECT, message, httpStatus, null, -1);
    }
}
