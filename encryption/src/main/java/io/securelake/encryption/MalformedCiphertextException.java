package io.securelake.encryption;

/** Input is not a well-formed ciphertext: truncated, bad encoding, bad lengths or an unknown mode. */
public class MalformedCiphertextException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public MalformedCiphertextException(String message) {
        super(message);
    }

    public MalformedCiphertextException(String message, Throwable cause) {
        super(message, cause);
    }
}
