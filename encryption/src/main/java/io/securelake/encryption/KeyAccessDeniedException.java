package io.securelake.encryption;

/** The key provider refused the caller the use of a KEK (e.g. Hadoop KMS AuthorizationException / HTTP 403). */
public class KeyAccessDeniedException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    private final String keyName;

    public KeyAccessDeniedException(String keyName, String message) {
        super(message);
        this.keyName = keyName;
    }

    public KeyAccessDeniedException(String keyName, String message, Throwable cause) {
        super(message, cause);
        this.keyName = keyName;
    }

    /** The KEK or KEK version the provider refused or lacks. */
    public String keyName() {
        return keyName;
    }
}
