package io.securelake.encryption;

/** A classified field holds a clear value where ciphertext is expected; the value is never passed through. */
public class NotEncryptedException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public NotEncryptedException(String message) {
        super(message);
    }

    public NotEncryptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
