package org.libleanix;

/**
 * A GraphQL response carried errors (HTTP 200 with a non-empty {@code errors} array); the message quotes the first ones.
 *
 * <p>Status {@code LX_ERR_GRAPHQL}.
 */
public class GraphQlException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message (quotes the first GraphQL errors)
     * @param httpStatus the HTTP status of the response, or 0
     */
    public GraphQlException(String message, int httpStatus) {
        super(Status.LX_ERR_GRAPHQL, message, httpStatus, null, -1);
    }
}
