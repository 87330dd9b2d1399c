package io.securelake.operations.keys;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;

/** A {@link RegistryStore} in this process' memory: replayed from the beginning by every process that opens it. */
final class MemoryRegistryStore implements RegistryStore {

    private final ConcurrentSkipListMap<String, byte[]> entries = new ConcurrentSkipListMap<>();

    @Override
    public byte[] get(String key) {
        return entries.get(key);
    }

    @Override
    public synchronized void commit(Map<String, byte[]> writes, Set<String> erased) {
        writes.forEach((key, value) -> {
            if (value == null) {
                entries.remove(key);
            } else {
                entries.put(key, value);
            }
        });
    }

    @Override
    public void forEachWithPrefix(String prefix, BiConsumer<String, byte[]> action) {
        for (Map.Entry<String, byte[]> e : entries.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                return;
            }
            action.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public synchronized void clear() {
        entries.clear();
    }

    @Override
    public String location() {
        return "memory";
    }

    @Override
    public void close() {
        entries.clear();
    }
}
