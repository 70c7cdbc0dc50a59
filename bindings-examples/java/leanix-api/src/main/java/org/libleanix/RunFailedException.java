package org.libleanix;

/**
 * An LDIF run ended {@code FAILED} or {@code STOPPED}, or finished with {@code ERROR} warnings.
 * {@link #run()} has its result: status, progress, every warning.
 *
 * <p>Status {@code LX_ERR_RUN_FAILED}.
 */
public class RunFailedException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public RunFailedException(String message) {
        super(Status.LX_ERR_RUN_FAILED, message, 0, null, -1);
    }
}
