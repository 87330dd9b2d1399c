package io.securelake.encryption.core;

import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.StoredDek;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link DekRepository} in one process's memory: for tests, benchmarks and single-process tools. */
public final class InMemoryDekRepository implements DekRepository {

    private record Key(String kekName, DekId id) {
    }

    private record SharedKey(String kekName, String sharedName) {
    }

    private final ConcurrentHashMap<Key, StoredDek> deks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SharedKey, DekId> shared = new ConcurrentHashMap<>();

    @Override
    public Optional<StoredDek> find(String kekName, DekId id) {
        return Optional.ofNullable(deks.get(new Key(kekName, id)));
    }

    @Override
    public void insert(StoredDek dek) {
        if (deks.putIfAbsent(new Key(dek.kekName(), dek.id()), dek) != null) {
            throw new IllegalStateException("DEK id " + dek.id() + " of KEK " + dek.kekName() + " is taken");
        }
    }

    @Override
    public Optional<StoredDek> findShared(String kekName, String sharedName) {
        DekId id = shared.get(new SharedKey(kekName, sharedName));
        return id == null ? Optional.empty() : find(kekName, id);
    }

    @Override
    public StoredDek insertShared(StoredDek dek) {
        if (dek.sharedName() == null) {
            throw new IllegalArgumentException("not a shared DEK: " + dek.id());
        }
        insert(dek);
        DekId winner = shared.putIfAbsent(new SharedKey(dek.kekName(), dek.sharedName()), dek.id());
        if (winner == null) {
            return dek;
        }
        deks.remove(new Key(dek.kekName(), dek.id()));
        return deks.get(new Key(dek.kekName(), winner));
    }

    @Override
    public void replace(StoredDek dek) {
        if (deks.replace(new Key(dek.kekName(), dek.id()), dek) == null) {
            throw new IllegalStateException("no DEK " + dek.id() + " of KEK " + dek.kekName() + " to replace");
        }
    }

    @Override
    public List<StoredDek> list(String kekName) {
        return deks.values().stream()
                .filter(d -> d.kekName().equals(kekName))
                .sorted(Comparator.comparing(StoredDek::createdAt))
                .toList();
    }
}
