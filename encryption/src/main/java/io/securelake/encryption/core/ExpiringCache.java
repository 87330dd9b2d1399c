package io.securelake.encryption.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Bounded cache with a time-to-live. Reads are lock-free; when an insert overflows the bound, expired
 * entries go first, then the least recently used, down to 90% of the bound so eviction work is amortised.
 */
final class ExpiringCache<K, V> {

    private static final class Entry<V> {
        final V value;
        final long expiresAtMillis;
        volatile long lastAccessMillis;

        Entry(V value, long expiresAtMillis, long now) {
            this.value = value;
            this.expiresAtMillis = expiresAtMillis;
            this.lastAccessMillis = now;
        }
    }

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final long ttlMillis;

    ExpiringCache(int maxEntries, long ttlMillis) {
        this.maxEntries = maxEntries;
        this.ttlMillis = ttlMillis;
    }

    V get(K key, long nowMillis) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (nowMillis >= entry.expiresAtMillis) {
            entries.remove(key, entry);
            return null;
        }
        if (entry.lastAccessMillis != nowMillis) {
            entry.lastAccessMillis = nowMillis;
        }
        return entry.value;
    }

    void put(K key, V value, long nowMillis) {
        entries.put(key, new Entry<>(value, nowMillis + ttlMillis, nowMillis));
        if (entries.size() > maxEntries) {
            evict(nowMillis);
        }
    }

    private synchronized void evict(long nowMillis) {
        entries.values().removeIf(e -> nowMillis >= e.expiresAtMillis);
        int target = Math.max(1, maxEntries * 9 / 10);
        if (entries.size() <= target) {
            return;
        }
        List<Map.Entry<K, Entry<V>>> snapshot = new ArrayList<>(entries.entrySet());
        snapshot.sort(Comparator.comparingLong(e -> e.getValue().lastAccessMillis));
        for (int i = 0; i < snapshot.size() - target; i++) {
            entries.remove(snapshot.get(i).getKey(), snapshot.get(i).getValue());
        }
    }

    void removeIf(Predicate<K> keyPredicate) {
        entries.keySet().removeIf(keyPredicate);
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
