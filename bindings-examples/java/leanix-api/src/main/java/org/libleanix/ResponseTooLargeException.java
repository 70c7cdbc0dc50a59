package org.libleanix;

/**
 * A response body was larger than the client's {@code maxResponseBytes}, or a GraphQL page walk
 * had more pages than its {@code maxPages}. The call stopped at the limit, having read no more
 * than the limit plus one buffer; nothing partial is returned.
 *
 * <p>Status {@code LX_ERR_TOO_LARGE}.
 */
public class ResponseTooLargeException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message (names the limit)
     */
    public ResponseTooLargeException(String message) {
        super(Status.LX_ERR_TOO_LARGE, message, 0, null, -1);
    }
}
