package io.securelake.encryption.core;

import io.securelake.encryption.DekId;
import io.securelake.encryption.EncryptionMode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * The working keys derived from one DEK, plus its precomputed headers. Each mode gets its own key through
 * HKDF-SHA256, with the KEK name and DEK id in the info, so one DEK serves both modes without key reuse and
 * a wrapped DEK moved under another id no longer decrypts anything.
 */
final class DekKeys {

    static final String GCM_LABEL = "securelake/v1 aes-256-gcm";
    static final String SIV_LABEL = "securelake/v1 aes-256-siv";
    static final String CHECK_LABEL = "securelake/v1 dek-check";
    static final int MIN_DEK_LENGTH = 32;

    final String kekName;
    final DekId id;
    final SecretKeySpec gcmKey;
    final AesSiv siv;
    final byte[] checkValue;
    private final byte[] gcmHeader;
    private final byte[] sivHeader;

    private DekKeys(String kekName, DekId id, int kekVersion, byte[] material) {
        this.kekName = kekName;
        this.id = id;
        byte[] prk = Hkdf.extract(null, material);
        byte[] gcm = Hkdf.expand(prk, info(GCM_LABEL, kekName, id), 32);
        byte[] sivKey = Hkdf.expand(prk, info(SIV_LABEL, kekName, id), 64);
        this.checkValue = Hkdf.expand(prk, info(CHECK_LABEL, kekName, id), 16);
        this.gcmKey = new SecretKeySpec(gcm, "AES");
        this.siv = new AesSiv(sivKey);
        Arrays.fill(prk, (byte) 0);
        Arrays.fill(gcm, (byte) 0);
        Arrays.fill(sivKey, (byte) 0);
        this.gcmHeader = CiphertextFormat.header(EncryptionMode.RANDOMIZED, kekName, kekVersion, id);
        this.sivHeader = CiphertextFormat.header(EncryptionMode.DETERMINISTIC, kekName, kekVersion, id);
    }

    /** Derives the keys; the caller wipes {@code material} afterwards. */
    static DekKeys derive(String kekName, DekId id, int kekVersion, byte[] material) {
        if (material.length < MIN_DEK_LENGTH) {
            throw new IllegalArgumentException("DEK of " + material.length * 8 + " bits; 256 are required");
        }
        return new DekKeys(kekName, id, kekVersion, material);
    }

    /** The check value stored with a DEK (16 bytes): what {@link #checkValue} is for these keys. */
    static byte[] checkValueOf(String kekName, DekId id, byte[] material) {
        byte[] prk = Hkdf.extract(null, material);
        try {
            return Hkdf.expand(prk, info(CHECK_LABEL, kekName, id), 16);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    byte[] header(EncryptionMode mode) {
        return mode == EncryptionMode.RANDOMIZED ? gcmHeader : sivHeader;
    }

    static byte[] info(String label, String kekName, DekId id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(label.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(kekName.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(8).putLong(id.value()).array());
        return out.toByteArray();
    }
}
