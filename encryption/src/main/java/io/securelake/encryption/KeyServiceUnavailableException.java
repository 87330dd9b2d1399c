package io.securelake.encryption;

/**
 * The key provider could not be reached (connection refused, reset or timed out): nothing was decided about the
 * key, and the same call may succeed once the key service is back. {@link io.securelake.encryption.keys.WaitingKekProvider}
 * waits a bounded time for that.
 */
public class KeyServiceUnavailableException extends KeyProviderException {

    private static final long serialVersionUID = 1L;

    public KeyServiceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
