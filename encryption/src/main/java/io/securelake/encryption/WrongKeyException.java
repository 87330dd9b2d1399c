package io.securelake.encryption;

/** A DEK unwrapped to material that does not match its check value: wrong KEK material (another keystore) or a corrupted wrapped DEK. */
public class WrongKeyException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public WrongKeyException(String message) {
        super(message);
    }

    public WrongKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
