package org.libleanix;

/**
 * The client settings are invalid: no host, an empty API token, {@code http://} to a host that is not loopback, an unreadable CA file, a bad proxy URL, ... Raised by {@link LeanixClient.Builder#build()}.
 *
 * <p>Status {@code LX_ERR_CONFIG}.
 */
public class ConfigException extends LeanixException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception (backends use {@link LeanixException#of}).
     *
     * @param message the message
     */
    public ConfigException(String message) {
        super(Status.LX_ERR_CONFIG, message, 0, null, -1);
    }
}
