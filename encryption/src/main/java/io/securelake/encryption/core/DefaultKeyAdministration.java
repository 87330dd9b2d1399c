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
 * {@link KeyAdministration} over a {@link KekProvider} and a {@link DekRepository}. Field ciphers of this
 * process passed in are told to drop cached keys after a roll or shred, so the change applies here at once;
 * other processes see it when their cache entries expire (EncryptionSettings.dekCacheTtl).
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
        for (StoredDek dek : repository.list(kekName)) {
            if (dek.destroyed()) {
                destroyed++;
            } else if (dek.wrapped().kekVersionName().equals(current)) {
                unchanged++;
            } else {
                WrappedDek moved = kekProvider.rewrapDek(dek.wrapped());
                repository.replace(dek.withWrapped(moved));
                rewrapped++;
            }
        }
        localCiphers.forEach(cipher -> cipher.invalidate(kekName));
        return new RewrapReport(kekName, current, rewrapped, unchanged, destroyed);
    }

    @Override
    public boolean shredSubject(String kekName, String subjectId) {
        Optional<StoredDek> dek = repository.findShared(kekName, SubjectRefs.sharedName(kekName, subjectId));
        if (dek.isEmpty() || dek.get().destroyed()) {
            return false;
        }
        repository.replace(dek.get().destroyedAt(clock.instant()));
        localCiphers.forEach(cipher -> cipher.invalidate(kekName));
        return true;
    }
}
