package io.securelake.encryption;

/** The ciphertext names a format version this code does not know (written by a newer writer, or not a ciphertext). */
public class UnsupportedFormatVersionException extends MalformedCiphertextException {

    private static final long serialVersionUID = 1L;

    public UnsupportedFormatVersionException(String message) {
        super(message);
    }

    public UnsupportedFormatVersionException(String message, Throwable cause) {
        super(message, cause);
    }
}
