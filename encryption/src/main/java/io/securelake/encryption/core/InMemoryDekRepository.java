package io.securelake.encryption.core;

import io.securelake.encryption.DekChangeListener;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.StoredDek;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link DekRepository} in one process's memory: for tests, benchmarks and single-process tools. Changes are
 * pushed to listeners on the changing thread.
 */
public final class InMemoryDekRepository implements DekRepository {

    private record Key(String kekName, DekId id) {
    }

    private record SharedKey(String kekName, String sharedName) {
    }

    private final ConcurrentHashMap<Key, StoredDek> deks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SharedKey, DekId> shared = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<DekChangeListener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public Optional<StoredDek> find(String kekName, DekId id) {
        return Optional.ofNullable(deks.get(new Key(kekName, id)));
    }

    @Override
    public void insert(StoredDek dek) {
        if (dek.revision() != 1) {
            throw new IllegalArgumentException("a new DEK has revision 1, not " + dek.revision());
        }
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
    public boolean compareAndSet(StoredDek expected, StoredDek replacement) {
        DekRepository.requireNextRevision(expected, replacement);
        Key key = new Key(expected.kekName(), expected.id());
        boolean[] swapped = {false};
        deks.computeIfPresent(key, (k, current) -> {
            if (current.revision() == expected.revision() && !current.destroyed()) {
                swapped[0] = true;
                return replacement;
            }
            return current;
        });
        if (swapped[0]) {
            listeners.forEach(l -> l.changed(expected.kekName(), expected.id()));
        }
        return swapped[0];
    }

    @Override
    public List<StoredDek> list(String kekName) {
        return deks.values().stream()
                .filter(d -> d.kekName().equals(kekName))
                .sorted(Comparator.comparing(StoredDek::createdAt))
                .toList();
    }

    @Override
    public Subscription subscribe(DekChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
