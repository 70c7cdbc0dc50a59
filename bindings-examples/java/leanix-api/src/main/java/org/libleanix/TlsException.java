package org.libleanix;

/**
 * The TLS handshake failed: an untrusted certificate (add a CA with {@link LeanixClient.Builder#caFile}) or a wrong host name.
 *
 * <p>Status {@code LX_ERR_TLS}.
 */
public class TlsException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public TlsException(String message) {
        super(Status.LX_ERR_TLS, message, 0, null, -1);
    }
}
