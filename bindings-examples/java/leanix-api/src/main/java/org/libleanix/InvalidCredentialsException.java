package org.libleanix;

/**
 * The token endpoint rejected the API token (HTTP 400/401/403 on the exchange): a wrong, revoked or expired API token. Not retried; the library remembers it for a few seconds so that a loop does not hammer the endpoint.
 *
 * <p>Status {@code LX_ERR_INVALID_CREDENTIALS}.
 */
public class InvalidCredentialsException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     * @param httpStatus the status of the token endpoint (400, 401 or 403)
     * @param oauthError the OAuth2 {@code error} field, or null
     */
    public InvalidCredentialsException(String message, int httpStatus, String oauthError) {
        super(Status.LX_ERR_INVALID_CREDENTIALS, message, httpStatus, oauthError, -1);
    }
}
