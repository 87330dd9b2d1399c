package io.securelake.operations.keys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A {@link RegistryStore} on this machine's disk (RocksDB, the store Kafka Streams keeps its tables in): a process
 * that opens it again resumes the replay where it stopped instead of reading the registry from its beginning, and
 * its memory holds only the store's bounded block cache, not every key of the environment.
 *
 * <p>Superseded values stay in RocksDB's files until a compaction rewrites them, so a commit that erases key
 * material flushes the memtable (its write-ahead log is then deleted) and compacts the erased keys' ranges at once:
 * the files that held the material are unlinked before the commit returns.
 */
final class RocksRegistryStore implements RegistryStore {

    /** Lock held by another process: the caller replays in memory instead. */
    static final class LockedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LockedException(Path dir, Throwable cause) {
            super("the key registry index " + dir + " is in use by another process", cause);
        }
    }

    private final Path dir;
    private final LRUCache blockCache;
    private final BloomFilter bloomFilter;
    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    /** Native handles must not be used once freed: every use holds the read lock, closing the write lock. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksRegistryStore(Path dir, long blockCacheBytes) {
        RocksDB.loadLibrary();
        this.dir = dir;
        this.blockCache = new LRUCache(blockCacheBytes);
        this.bloomFilter = new BloomFilter(10);
        this.options = new Options().setCreateIfMissing(true).setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                // Values are mostly random (sealed keys): compression would buy little, and uncompressed files let a
                // test check that a shredded key's material is in none of them.
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setKeepLogFileNum(2).setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache)
                        .setFilterPolicy(bloomFilter).setCacheIndexAndFilterBlocks(true));
        // Not synced: the index is a copy of what Kafka holds durably. A crash loses at most the last batches, whose
        // records are replayed again from the positions committed with the state before them.
        this.writeOptions = new WriteOptions();
        try {
            this.db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            close(writeOptions, options, bloomFilter, blockCache);
            String m = String.valueOf(e.getMessage());
            if (m.contains("lock") || m.contains("LOCK")) {
                throw new LockedException(dir, e);
            }
            throw new IllegalStateException("cannot open the key registry index " + dir + ": " + m, e);
        }
    }

    /**
     * Opens (or creates) the store in {@code dir}, an owner-only directory.
     *
     * @param blockCacheBytes the bound on the memory the store caches its blocks in
     * @throws LockedException another process has it open
     */
    static RocksRegistryStore open(Path dir, long blockCacheBytes) {
        return new RocksRegistryStore(dir, blockCacheBytes);
    }

    @Override
    public byte[] get(String key) {
        lifecycle.readLock().lock();
        try {
            requireOpen();
            return db.get(bytes(key));
        } catch (RocksDBException e) {
            throw new IllegalStateException("the key registry index " + dir + " could not be read: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the key registry index " + dir + " is closed");
        }
    }

    @Override
    public void commit(Map<String, byte[]> writes, Set<String> erased) {
        lifecycle.readLock().lock();
        try (WriteBatch batch = new WriteBatch()) {
            requireOpen();
            for (Map.Entry<String, byte[]> w : writes.entrySet()) {
                if (w.getValue() == null) {
                    batch.delete(bytes(w.getKey()));
                } else {
                    batch.put(bytes(w.getKey()), w.getValue());
                }
            }
            db.write(writeOptions, batch);
            if (!erased.isEmpty()) {
                forgetSuperseded(erased);
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("the key registry index " + dir + " could not be written: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void forgetSuperseded(Set<String> keys) throws RocksDBException {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
             CompactRangeOptions compact = new CompactRangeOptions()
                     .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            db.flush(flush);
            for (String key : keys) {
                byte[] begin = bytes(key);
                byte[] end = java.util.Arrays.copyOf(begin, begin.length + 1); // just past the key itself
                db.compactRange(db.getDefaultColumnFamily(), begin, end, compact);
            }
        }
    }

    @Override
    public void forEachWithPrefix(String prefix, BiConsumer<String, byte[]> action) {
        byte[] start = bytes(prefix);
        lifecycle.readLock().lock();
        try (RocksIterator it = newIterator()) {
            for (it.seek(start); it.isValid(); it.next()) {
                String key = new String(it.key(), StandardCharsets.UTF_8);
                if (!key.startsWith(prefix)) {
                    return;
                }
                action.accept(key, it.value());
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private RocksIterator newIterator() {
        requireOpen();
        return db.newIterator();
    }

    @Override
    public void clear() {
        lifecycle.readLock().lock();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
             CompactRangeOptions compact = new CompactRangeOptions()
                     .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            db.deleteRange(new byte[] {0}, new byte[] {(byte) 0xff});
            db.flush(flush);
            db.compactRange(db.getDefaultColumnFamily(), null, null, compact);
        } catch (RocksDBException e) {
            throw new IllegalStateException("the key registry index " + dir + " could not be cleared: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            db.close();
            close(writeOptions, options, bloomFilter, blockCache);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private static void close(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // native handles: nothing to report
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
