package io.securelake.encryption;

/** The key provider has no such KEK or KEK version. */
public class KekNotFoundException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    private final String keyName;

    public KekNotFoundException(String keyName, String message) {
        super(message);
        this.keyName = keyName;
    }

    public KekNotFoundException(String keyName, String message, Throwable cause) {
        super(message, cause);
        this.keyName = keyName;
    }

    /** The KEK or KEK version the provider refused or lacks. */
    public String keyName() {
        return keyName;
    }
}
