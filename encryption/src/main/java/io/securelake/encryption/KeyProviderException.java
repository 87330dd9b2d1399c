package io.securelake.encryption;

/** The key provider failed for another reason (I/O, bad configuration, unsupported key). */
public class KeyProviderException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public KeyProviderException(String message) {
        super(message);
    }

    public KeyProviderException(String message, Throwable cause) {
        super(message, cause);
    }
}
