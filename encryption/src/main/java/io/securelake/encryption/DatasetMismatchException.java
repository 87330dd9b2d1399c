package io.securelake.encryption;

/** The ciphertext's KEK belongs to another dataset than the caller's; detected before any key lookup. */
public class DatasetMismatchException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public DatasetMismatchException(String message) {
        super(message);
    }

    public DatasetMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
