package io.securelake.encryption;

/** How one field is encrypted. The wire id is part of the ciphertext format (docs/encryption-format.md). */
public enum EncryptionMode {
    /** AES-256-GCM with a random 96-bit nonce: equal plaintexts give different ciphertexts. */
    RANDOMIZED(1),
    /** AES-256-SIV (RFC 5297): equal plaintexts in the same field give equal ciphertexts, so joins and lookups work. */
    DETERMINISTIC(2);

    private final int wireId;

    EncryptionMode(int wireId) {
        this.wireId = wireId;
    }

    public int wireId() {
        return wireId;
    }

    /** @return the mode, or null if the id is not one this version knows */
    public static EncryptionMode fromWireId(int wireId) {
        for (EncryptionMode mode : values()) {
            if (mode.wireId == wireId) {
                return mode;
            }
        }
        return null;
    }
}
