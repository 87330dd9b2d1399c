package io.securelake.encryption;

/** The DEK a ciphertext references is not in the DEK repository. */
public class DekNotFoundException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public DekNotFoundException(String message) {
        super(message);
    }

    public DekNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
