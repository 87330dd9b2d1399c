package io.securelake.encryption.core;

import java.util.Arrays;
import java.util.Iterator;
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
        int excess = entries.size() - target;
        if (excess <= 0) {
            return;
        }
        // The access time below which entries go: a sort of bare longs, not of map entries (this runs on
        // the encrypting thread whenever more subjects are active than the cache holds).
        long[] accessTimes = new long[entries.size()];
        int n = 0;
        for (Entry<V> e : entries.values()) {
            if (n == accessTimes.length) {
                break; // another thread inserted meanwhile
            }
            accessTimes[n++] = e.lastAccessMillis;
        }
        if (n == 0) {
            return; // emptied meanwhile (clear, removeIf)
        }
        Arrays.sort(accessTimes, 0, n);
        long cutoff = accessTimes[Math.min(excess, n) - 1];
        int removed = 0;
        for (Iterator<Map.Entry<K, Entry<V>>> it = entries.entrySet().iterator(); it.hasNext() && removed < excess; ) {
            Map.Entry<K, Entry<V>> e = it.next();
            // By key and entry: an entry another thread has just replaced stays.
            if (e.getValue().lastAccessMillis <= cutoff && entries.remove(e.getKey(), e.getValue())) {
                removed++;
            }
        }
    }

    /** Removes {@code key} only while it still maps to {@code value}. */
    void remove(K key, V value) {
        Entry<V> entry = entries.get(key);
        if (entry != null && entry.value == value) {
            entries.remove(key, entry);
        }
    }

    void removeIf(Predicate<K> keyPredicate) {
        entries.keySet().removeIf(keyPredicate);
    }

    /** Removes every entry whose value matches, whatever its key. */
    void removeIfValue(Predicate<V> valuePredicate) {
        entries.values().removeIf(e -> valuePredicate.test(e.value));
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
