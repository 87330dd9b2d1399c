package io.securelake.encryption;

/** Base of every failure of this module; unchecked so it passes through stream and Spark lambdas. */
public class FieldEncryptionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FieldEncryptionException(String message) {
        super(message);
    }

    public FieldEncryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
