package io.securelake.encryption;

import java.util.Objects;

/**
 * A DEK encrypted by a KEK version (Hadoop's "encrypted key version"). Arrays are copied in and out.
 *
 * @param kekName        KEK that wrapped it, e.g. {@code dev.payments}
 * @param kekVersionName provider's version name, e.g. {@code dev.payments@2}
 * @param iv             provider's IV for this wrap
 * @param encryptedKey   the wrapped key material
 */
public record WrappedDek(String kekName, String kekVersionName, byte[] iv, byte[] encryptedKey) {

    public WrappedDek {
        Objects.requireNonNull(kekName, "kekName");
        Objects.requireNonNull(kekVersionName, "kekVersionName");
        iv = iv.clone();
        encryptedKey = encryptedKey.clone();
    }

    @Override
    public byte[] iv() {
        return iv.clone();
    }

    @Override
    public byte[] encryptedKey() {
        return encryptedKey.clone();
    }

    /** The number after '@' in the version name (Hadoop, Hadoop KMS and Ranger KMS all use {@code name@N}). */
    public int kekVersionNumber() {
        return KekVersions.number(kekVersionName);
    }

    @Override
    public String toString() {
        return "WrappedDek[" + kekVersionName + "]";
    }
}
