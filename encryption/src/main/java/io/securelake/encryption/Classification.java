package io.securelake.encryption;

/** A field's data classification, which decides whether and how it is encrypted. */
public enum Classification {
    /** PII that is only read back: randomized AEAD. */
    PII_RANDOMIZED(EncryptionMode.RANDOMIZED),
    /** PII that must be joined, grouped or looked up: deterministic AEAD. */
    PII_DETERMINISTIC(EncryptionMode.DETERMINISTIC);

    private final EncryptionMode mode;

    Classification(EncryptionMode mode) {
        this.mode = mode;
    }

    public EncryptionMode mode() {
        return mode;
    }
}
