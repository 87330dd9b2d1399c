package io.securelake.encryption.core;

import io.securelake.encryption.DekId;
import io.securelake.encryption.DekNotFoundException;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KeyShreddedException;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import io.securelake.encryption.WrongKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cipher's dataset wrapping keys: which one writers seal new subject keys under (one per dataset per period, the
 * next generation once a rotation and re-wrap reached it), and the ones sealed keys name, opened through the KMS and
 * kept for {@code wrappingKeyCacheTtl}. Shares the cipher's invalidation counter, so a key read just before a pushed
 * change is not kept past it.
 */
final class WrappingKeys {

    /** The KMS calls wrapping keys need, counted by the cipher. */
    interface Kms {
        /** A new 256-bit DEK (shorter ones refused). */
        GeneratedDek generate(String kekName);

        byte[] unwrap(WrappedDek wrapped);
    }

    private record DekRef(String kekName, DekId id) {
    }

    /** The wrapping key writers use, until its period ends or the wrapping-key cache time passes (then asked again). */
    private record ActiveWrapping(long period, SubjectKeySeal.WrappingKey key, long validUntilMillis) {
        boolean serves(long period, long now) {
            return this.period == period && now < validUntilMillis;
        }
    }

    private static final DateTimeFormatter PERIOD_START = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final DekRepository repository;
    private final Kms kms;
    private final AtomicLong generation;
    private final SecureRandom random;
    private final long wrappingPeriodMillis;
    private final long cacheTtlMillis;
    /** Per KEK: the wrapping key writers seal new subject keys under, and the period it serves. */
    private final ConcurrentHashMap<String, ActiveWrapping> activeWrapping = new ConcurrentHashMap<>();
    private final ExpiringCache<DekRef, SubjectKeySeal.WrappingKey> wrappingKeys;

    WrappingKeys(EncryptionSettings settings, DekRepository repository, Kms kms, AtomicLong generation, SecureRandom random) {
        this.repository = repository;
        this.kms = kms;
        this.generation = generation;
        this.random = random;
        this.wrappingPeriodMillis = settings.wrappingKeyPeriod().toMillis();
        this.cacheTtlMillis = settings.wrappingKeyCacheTtl().toMillis();
        this.wrappingKeys = new ExpiringCache<>(settings.dekCacheMaxEntries(), cacheTtlMillis);
    }

    /** The wrapping key of the current period: this process's, the repository's, or a new one from the KMS. */
    SubjectKeySeal.WrappingKey current(String kekName, long now) {
        long period = Math.floorDiv(now, wrappingPeriodMillis);
        ActiveWrapping active = activeWrapping.get(kekName);
        if (active != null && active.serves(period, now)) {
            return active.key();
        }
        long generationBefore = generation.get();
        long validUntil = Math.min((period + 1) * wrappingPeriodMillis, now + cacheTtlMillis);
        SubjectKeySeal.WrappingKey key = activeWrapping.compute(kekName, (name, current) ->
                current != null && current.serves(period, now) ? current
                        : new ActiveWrapping(period, wrappingKeyOfPeriod(name, period, now), validUntil)).key();
        if (generation.get() != generationBefore) {
            activeWrapping.remove(kekName); // dropped meanwhile (a change pushed): look it up again next time
        }
        return key;
    }

    /**
     * The period's wrapping key writers seal under: {@code wrapping/<period start>-<period>s-g<n>}, the first
     * generation whose key has not outlived a KEK rotation. A key re-wrapped under a newer KEK version than the one it
     * was born under has (the operator rotated and re-wrapped, e.g. because the old version may be compromised), so
     * new subjects go under the next generation, made under the current version: a rotation takes effect for new
     * subjects as soon as the re-wrap is pushed, not at the next period.
     */
    private SubjectKeySeal.WrappingKey wrappingKeyOfPeriod(String kekName, long period, long now) {
        String periodName = "wrapping/" + PERIOD_START.format(Instant.ofEpochMilli(period * wrappingPeriodMillis))
                + "-" + wrappingPeriodMillis / 1000 + "s-g";
        for (int generationOfKey = 0; ; generationOfKey++) {
            String sharedName = periodName + generationOfKey;
            Optional<StoredDek> existing = repository.findShared(kekName, sharedName);
            if (existing.isEmpty()) {
                return newWrappingKey(kekName, sharedName, now);
            }
            StoredDek stored = existing.get();
            EnvelopeFieldCipher.requireEntry(stored, kekName, DekScope.WRAPPING, sharedName);
            boolean outlivedARotation = stored.destroyed()
                    || stored.wrapped().kekVersionNumber() > stored.originKekVersion();
            if (!outlivedARotation) {
                return openWrappingKey(stored, now);
            }
        }
    }

    private SubjectKeySeal.WrappingKey newWrappingKey(String kekName, String sharedName, long now) {
        GeneratedDek generated = kms.generate(kekName);
        byte[] material = generated.material();
        try {
            DekId id = new DekId(random.nextLong());
            StoredDek stored = StoredDek.wrappedByKms(kekName, id, DekScope.WRAPPING, sharedName, generated.wrapped(),
                    DekKeys.checkValueOf(kekName, id, material), Instant.ofEpochMilli(now));
            StoredDek winner = repository.insertShared(stored);
            if (!winner.id().equals(id)) {
                EnvelopeFieldCipher.requireEntry(winner, kekName, DekScope.WRAPPING, sharedName);
                return openWrappingKey(winner, now); // another writer made this period's key first
            }
            SubjectKeySeal.WrappingKey key = SubjectKeySeal.wrappingKey(kekName, id, stored.originKekVersion(), material);
            wrappingKeys.put(new DekRef(kekName, id), key, now);
            return key;
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** A wrapping key by id, for opening a sealed subject key. */
    SubjectKeySeal.WrappingKey byId(String kekName, DekId id, long now) {
        SubjectKeySeal.WrappingKey cached = wrappingKeys.get(new DekRef(kekName, id), now);
        if (cached != null) {
            return cached;
        }
        StoredDek stored = repository.find(kekName, id).orElseThrow(() -> new DekNotFoundException("wrapping key " + id
                + " of KEK " + kekName + " is not in the DEK repository (deleted, or a repository of another deployment)"));
        return openWrappingKey(stored, now);
    }

    private SubjectKeySeal.WrappingKey openWrappingKey(StoredDek stored, long now) {
        DekRef ref = new DekRef(stored.kekName(), stored.id());
        SubjectKeySeal.WrappingKey cached = wrappingKeys.get(ref, now);
        if (cached != null) {
            return cached;
        }
        if (stored.scope() != DekScope.WRAPPING) {
            throw new WrongKeyException("DEK " + stored.id() + " of KEK " + stored.kekName() + " is a " + stored.scope()
                    + " key, not a wrapping key: the repository entry that names it was altered");
        }
        if (stored.destroyed()) {
            throw new KeyShreddedException("wrapping key " + stored.id() + " of KEK " + stored.kekName()
                    + " was destroyed at " + stored.destroyedAt() + ": every subject key sealed under it is unreadable");
        }
        long generationBefore = generation.get();
        WrappedDek wrapped = stored.wrapped();
        byte[] material = kms.unwrap(wrapped);
        try {
            if (material.length < DekKeys.MIN_DEK_LENGTH
                    || !MessageDigest.isEqual(stored.checkValue(), DekKeys.checkValueOf(stored.kekName(), stored.id(), material))) {
                throw new WrongKeyException("wrapping key " + stored.id() + " unwrapped by KEK " + wrapped.kekVersionName()
                        + " does not match its check value: the provider holds other material under that KEK name"
                        + " (another keystore or KMS?) or the wrapped key was corrupted");
            }
            SubjectKeySeal.WrappingKey key = SubjectKeySeal.wrappingKey(stored.kekName(), stored.id(),
                    stored.originKekVersion(), material);
            wrappingKeys.put(ref, key, now);
            if (generation.get() != generationBefore) {
                wrappingKeys.remove(ref, key);
            }
            return key;
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    void forgetKek(String kekName) {
        activeWrapping.remove(kekName);
        wrappingKeys.removeIf(ref -> ref.kekName().equals(kekName));
    }

    /** One key changed: get + remove(key, value), never waiting behind a compute that may be calling the KMS. */
    void forget(String kekName, DekId id) {
        wrappingKeys.removeIf(new DekRef(kekName, id)::equals);
        ActiveWrapping wrapping = activeWrapping.get(kekName);
        if (wrapping != null && wrapping.key().id().equals(id)) {
            activeWrapping.remove(kekName, wrapping);
        }
    }

    void forgetAll() {
        activeWrapping.clear();
        wrappingKeys.clear();
    }
}
