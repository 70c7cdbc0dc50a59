package org.libleanix;

/**
 * The API answered 403: the API token's user lacks the permission (for example a VIEWER writing).
 *
 * <p>Status {@code LX_ERR_FORBIDDEN}.
 */
public class ForbiddenException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the HTTP status (403)
     */
    public ForbiddenException(String message, int httpStatus) {
        super(Status.LX_ERR_FORBIDDEN, message, httpStatus, null, -1);
    }
}
