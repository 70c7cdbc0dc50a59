package org.libleanix;

/**
 * An argument was rejected: a header name or value that is not allowed (or {@code Authorization}
 * / {@code Host}, which the client manages), a bad method, invalid UTF-8, an unknown option key,
 * an option value of the wrong form, variables that are not a JSON object.
 *
 * <p>Status {@code LX_ERR_INVALID_ARG} (or {@code LX_ERR_NULL_ARG}).
 */
public class InvalidArgumentException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with status {@code LX_ERR_INVALID_ARG}.
     *
     * @param message the message
     */
    public InvalidArgumentException(String message) {
        this(Status.LX_ERR_INVALID_ARG, message);
    }

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param code {@link Status#LX_ERR_INVALID_ARG} or {@link Status#LX_ERR_NULL_ARG}
     * @param message the message
     */
    public InvalidArgumentException(int code, String message) {
        super(code, message, 0, null, -1);
    }
}
