package io.securelake.operations.keys;

import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Where a process keeps the key registry's replayed state: keys and values as bytes, written in batches that land
 * whole or not at all (the replay positions go in the same batch as the state they produced, so a process that
 * resumes never applies a record twice nor skips one). One implementation keeps it in memory, one on disk.
 */
interface RegistryStore extends AutoCloseable {

    /** The value of {@code key} as last committed, or {@code null}. Any thread. */
    byte[] get(String key);

    /**
     * Applies {@code writes} atomically (a {@code null} value deletes its key). {@code erased} names the keys whose
     * earlier values held key material that must not survive in this store: no older copy of them is kept where the
     * store keeps superseded values (on disk: compacted away by a background eraser right after the commit, which a
     * restarted process resumes if this one died first).
     */
    void commit(Map<String, byte[]> writes, Set<String> erased);

    /** Every committed entry whose key starts with {@code prefix}, in key order. */
    void forEachWithPrefix(String prefix, BiConsumer<String, byte[]> action);

    /** Removes everything (a replay from the beginning follows). */
    void clear();

    /** Where the store lives, for messages; "memory" for the in-memory store. */
    String location();

    @Override
    void close();
}
