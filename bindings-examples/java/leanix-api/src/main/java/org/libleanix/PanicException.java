package org.libleanix;

/**
 * An internal error (a bug in libleanix) was caught at the library boundary; the process is unharmed. Please report it.
 *
 * <p>Status {@code LX_ERR_PANIC}.
 */
public class PanicException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public PanicException(String message) {
        super(Status.LX_ERR_PANIC, message, 0, null, -1);
    }
}
