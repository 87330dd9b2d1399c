package io.securelake.encryption;

/** The DEK was destroyed on purpose (crypto-shredding of a data subject); its data is unreadable for good. */
public class KeyShreddedException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public KeyShreddedException(String message) {
        super(message);
    }

    public KeyShreddedException(String message, Throwable cause) {
        super(message, cause);
    }
}
