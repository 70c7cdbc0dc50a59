package org.libleanix;

/**
 * The client was created in a parent process before {@code fork()}; create a new client. (A JVM does not fork, but a native host embedding one might.)
 *
 * <p>Status {@code LX_ERR_FORKED}.
 */
public class ForkedException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public ForkedException(String message) {
        super(Status.LX_ERR_FORKED, message, 0, null, -1);
    }
}
