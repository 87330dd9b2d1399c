package io.securelake.encryption;

/** A fresh DEK: its material (kept in memory only) and its wrapped form (stored). */
public record GeneratedDek(byte[] material, WrappedDek wrapped) {

    public GeneratedDek {
        material = material.clone();
    }

    @Override
    public byte[] material() {
        return material.clone();
    }

    @Override
    public String toString() {
        return "GeneratedDek[" + wrapped + "]";
    }
}
