package io.securelake.encryption;

/** The AEAD tag did not verify: the ciphertext was altered, or was copied from another field or context. */
public class AuthenticationFailedException extends FieldEncryptionException {

    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message);
    }

    public AuthenticationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
