package io.securelake.encryption;

import java.time.Instant;
import java.util.Objects;

/**
 * A DEK as kept by a {@link DekRepository}: wrapped, never in clear.
 *
 * @param kekName    KEK that wraps it
 * @param id         reference carried in ciphertexts
 * @param scope      what it is for
 * @param sharedName for shared DEKs the name writers find it by ({@code deterministic} or
 *                   {@code subject/<ref>}); null for rolling DEKs
 * @param wrapped    wrapped material; null once destroyed (crypto-shredded)
 * @param checkValue 16-byte value derived from the DEK; proves an unwrap gave the right material
 * @param createdAt  creation time
 * @param destroyedAt when it was shredded, or null
 */
public record StoredDek(String kekName, DekId id, DekScope scope, String sharedName, WrappedDek wrapped,
                        byte[] checkValue, Instant createdAt, Instant destroyedAt) {

    public StoredDek {
        Objects.requireNonNull(kekName, "kekName");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(createdAt, "createdAt");
        checkValue = checkValue == null ? null : checkValue.clone();
        if ((wrapped == null) != (destroyedAt != null)) {
            throw new IllegalArgumentException("a DEK is either wrapped or destroyed");
        }
    }

    @Override
    public byte[] checkValue() {
        return checkValue == null ? null : checkValue.clone();
    }

    public boolean destroyed() {
        return destroyedAt != null;
    }

    public StoredDek withWrapped(WrappedDek rewrapped) {
        return new StoredDek(kekName, id, scope, sharedName, rewrapped, checkValue, createdAt, null);
    }

    /** The tombstone left after shredding: no key material, so nothing can ever decrypt its data. */
    public StoredDek destroyedAt(Instant when) {
        return new StoredDek(kekName, id, scope, sharedName, null, null, createdAt, when);
    }
}
