package io.securelake.encryption;

import java.time.Instant;
import java.util.Objects;

/**
 * A DEK as kept by a {@link DekRepository}: wrapped, never in clear. A repository entry changes only by
 * compare-and-set ({@link DekRepository#compareAndSet}): each change has the next {@code revision}, and a destroyed
 * entry (a tombstone) never changes again.
 *
 * @param kekName          KEK it belongs to (names its dataset)
 * @param id               reference carried in ciphertexts
 * @param scope            what it is for
 * @param sharedName       for shared DEKs the name writers find it by ({@code deterministic}, {@code subject/<ref>},
 *                         {@code wrapping/<period>}); null for rolling DEKs
 * @param wrapped          the material wrapped by a KEK version (KMS); null when sealed locally or destroyed
 * @param localWrap        the material sealed under a wrapping key of the same KEK; null when wrapped by the KMS
 *                         or destroyed
 * @param checkValue       16-byte value derived from the DEK; proves an unwrap gave the right material
 * @param originKekVersion the KEK version the DEK was first protected under; ciphertexts carry it in their header,
 *                         and it never changes, so a re-wrap does not change what a deterministic value encrypts to
 * @param createdAt        creation time
 * @param destroyedAt      when it was shredded, or null
 * @param revision         1 when inserted, one more at each compare-and-set
 */
public record StoredDek(String kekName, DekId id, DekScope scope, String sharedName, WrappedDek wrapped,
                        LocalWrap localWrap, byte[] checkValue, int originKekVersion, Instant createdAt,
                        Instant destroyedAt, long revision) {

    public StoredDek {
        Objects.requireNonNull(kekName, "kekName");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(createdAt, "createdAt");
        checkValue = checkValue == null ? null : checkValue.clone();
        if (wrapped != null && localWrap != null) {
            throw new IllegalArgumentException("a DEK is wrapped by the KMS or sealed locally, not both");
        }
        boolean hasMaterial = wrapped != null || localWrap != null;
        if (hasMaterial == (destroyedAt != null)) {
            throw new IllegalArgumentException("a DEK is either wrapped or destroyed");
        }
        if (hasMaterial && checkValue == null) {
            throw new IllegalArgumentException("a wrapped DEK needs its check value");
        }
        if (localWrap != null && scope != DekScope.SUBJECT) {
            throw new IllegalArgumentException("only subject keys are sealed under a wrapping key, not " + scope);
        }
        if (originKekVersion < 0) {
            throw new IllegalArgumentException("originKekVersion must not be negative");
        }
        if (revision < 1) {
            throw new IllegalArgumentException("revision starts at 1");
        }
    }

    /** A new DEK wrapped by the KMS (revision 1; its origin version is the wrapping version). */
    public static StoredDek wrappedByKms(String kekName, DekId id, DekScope scope, String sharedName, WrappedDek wrapped,
                                         byte[] checkValue, Instant createdAt) {
        return new StoredDek(kekName, id, scope, sharedName, Objects.requireNonNull(wrapped, "wrapped"), null,
                checkValue, wrapped.kekVersionNumber(), createdAt, null, 1);
    }

    /** A new subject key sealed under a wrapping key (revision 1). */
    public static StoredDek sealedLocally(String kekName, DekId id, String sharedName, LocalWrap localWrap,
                                          byte[] checkValue, int originKekVersion, Instant createdAt) {
        return new StoredDek(kekName, id, DekScope.SUBJECT, sharedName, null, Objects.requireNonNull(localWrap, "localWrap"),
                checkValue, originKekVersion, createdAt, null, 1);
    }

    @Override
    public byte[] checkValue() {
        return checkValue == null ? null : checkValue.clone();
    }

    public boolean destroyed() {
        return destroyedAt != null;
    }

    /** True when the KMS wraps it (a re-wrap after a KEK rotation concerns it); false when sealed locally or destroyed. */
    public boolean wrappedByKms() {
        return wrapped != null;
    }

    /** The next revision: the same DEK wrapped by another KEK version (re-wrap); the data is untouched. */
    public StoredDek withWrapped(WrappedDek rewrapped) {
        if (destroyed()) {
            throw new IllegalStateException("DEK " + id + " of KEK " + kekName + " was destroyed: it cannot be re-wrapped");
        }
        return new StoredDek(kekName, id, scope, sharedName, Objects.requireNonNull(rewrapped, "rewrapped"), null,
                checkValue, originKekVersion, createdAt, null, revision + 1);
    }

    /** The next revision: the tombstone left after shredding, with no key material, so nothing can decrypt its data. */
    public StoredDek destroyedAt(Instant when) {
        return new StoredDek(kekName, id, scope, sharedName, null, null, null, originKekVersion, createdAt,
                Objects.requireNonNull(when, "when"), revision + 1);
    }
}
