package io.securelake.encryption;

/** The ciphertext's KEK belongs to another environment than the caller's; detected before any key lookup. */
public class EnvironmentMismatchException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public EnvironmentMismatchException(String message) {
        super(message);
    }

    public EnvironmentMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
