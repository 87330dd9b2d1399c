package io.securelake.encryption.core;

import io.securelake.encryption.DekRepository;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KeyAdministration;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link KeyAdministration} over a {@link KekProvider} and a {@link DekRepository}. Every change of a stored DEK is a
 * compare-and-set on the revision read, so a shred is never undone by a re-wrap running at the same time. Field
 * ciphers of this process passed in are told to drop cached keys after a roll or shred; other processes learn of a
 * change from the repository (pushed, where it can), else when their cache entries expire.
 */
public final class DefaultKeyAdministration implements KeyAdministration {

    private final KekProvider kekProvider;
    private final DekRepository repository;
    private final Clock clock;
    private final List<FieldCipher> localCiphers;

    public DefaultKeyAdministration(KekProvider kekProvider, DekRepository repository, Clock clock,
                                    List<FieldCipher> localCiphers) {
        this.kekProvider = Objects.requireNonNull(kekProvider, "kekProvider");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.localCiphers = List.copyOf(localCiphers);
    }

    @Override
    public List<String> listKeks() {
        return kekProvider.listKekNames();
    }

    @Override
    public String createKek(String kekName) {
        return kekProvider.createKek(kekName);
    }

    @Override
    public String rollKek(String kekName) {
        String version = kekProvider.rollKek(kekName);
        localCiphers.forEach(cipher -> cipher.invalidate(kekName));
        return version;
    }

    @Override
    public RewrapReport rewrap(String kekName) {
        String current = kekProvider.currentVersionName(kekName);
        int rewrapped = 0;
        int unchanged = 0;
        int destroyed = 0;
        int sealed = 0;
        for (StoredDek listed : repository.list(kekName)) {
            StoredDek dek = listed;
            // Compare-and-set against the revision read: a shred (or another re-wrap) that lands in between wins,
            // and this one reads again instead of writing the live key back over a tombstone.
            while (true) {
                if (dek.destroyed()) {
                    destroyed++;
                    break;
                }
                if (!dek.wrappedByKms()) {
                    sealed++; // sealed under a wrapping key, which this re-wrap moves instead
                    break;
                }
                if (dek.wrapped().kekVersionName().equals(current)) {
                    unchanged++;
                    break;
                }
                WrappedDek moved = kekProvider.rewrapDek(dek.wrapped());
                if (repository.compareAndSet(dek, dek.withWrapped(moved))) {
                    rewrapped++;
                    break;
                }
                Optional<StoredDek> now = repository.find(kekName, dek.id());
                if (now.isEmpty()) {
                    break;
                }
                dek = now.get();
            }
        }
        localCiphers.forEach(cipher -> cipher.invalidate(kekName));
        return new RewrapReport(kekName, current, rewrapped, unchanged, destroyed, sealed);
    }

    @Override
    public boolean shredSubject(String kekName, String subjectId) {
        Optional<StoredDek> dek = repository.findShared(kekName, SubjectRefs.sharedName(kekName, subjectId));
        // Compare-and-set until the tombstone is stored: a concurrent re-wrap may change the entry first.
        while (dek.isPresent() && !dek.get().destroyed()) {
            if (repository.compareAndSet(dek.get(), dek.get().destroyedAt(clock.instant()))) {
                localCiphers.forEach(cipher -> cipher.invalidate(kekName));
                return true;
            }
            dek = repository.find(kekName, dek.get().id());
        }
        return false;
    }
}
