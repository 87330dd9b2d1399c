package io.securelake.operations.keys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.IndexType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RegistryStore} on this machine's disk (RocksDB, the store Kafka Streams keeps its tables in): a process
 * that opens it again resumes the replay where it stopped instead of reading the registry from its beginning, and
 * its memory holds only the store's bounded block cache, not every key of the environment.
 *
 * <p>Superseded values stay in RocksDB's files until a compaction rewrites them, so after a commit that erases key
 * material an eraser thread flushes the memtable (its write-ahead log is then deleted) and compacts the erased keys'
 * ranges: the files that held the material are unlinked. The keys are marked pending in the same batch as the
 * erasure, so a process that dies first leaves the job to the next one.
 */
final class RocksRegistryStore implements RegistryStore {

    private static final Logger LOG = LoggerFactory.getLogger(RocksRegistryStore.class);

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
    /** Keys whose superseded values must leave the files; marked in the store too, so a restart finishes the job. */
    private static final String ERASE_PENDING = "m\u0000erase\u0000";
    private final ScheduledThreadPoolExecutor eraser = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "key-index-eraser");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> toForget = new java.util.HashSet<>();
    private boolean eraserScheduled;
    private boolean roundRunning;
    /** How long the eraser waits before trying again after a round failed (a full disk, too many open files). */
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);
    private final Duration eraseInterval;
    private long lastRoundNanos = System.nanoTime() - Long.MAX_VALUE / 2;
    /** Native handles must not be used once freed: every use holds the read lock, closing the write lock. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksRegistryStore(Path dir, long blockCacheBytes, Duration eraseInterval) {
        RocksDB.loadLibrary();
        this.dir = dir;
        this.eraseInterval = eraseInterval;
        this.blockCache = new LRUCache(blockCacheBytes);
        this.bloomFilter = new BloomFilter(10);
        // Index and filter blocks are partitioned (4 KiB pieces) and cached like data blocks: a lookup loads only the
        // pieces it needs, and memory stays within the cache however many customers the index holds. (Whole index
        // blocks of large files do not fit in one shard of the cache: every lookup re-read them, about 400 µs.)
        BlockBasedTableConfig table = new BlockBasedTableConfig().setBlockCache(blockCache).setFilterPolicy(bloomFilter)
                .setIndexType(IndexType.kTwoLevelIndexSearch).setPartitionFilters(true).setMetadataBlockSize(4096)
                .setCacheIndexAndFilterBlocks(true).setCacheIndexAndFilterBlocksWithHighPriority(true)
                .setPinTopLevelIndexAndFilter(true);
        this.options = new Options().setCreateIfMissing(true).setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
                // Values are mostly random (sealed keys): compression would buy little, and uncompressed files let a
                // test check that a shredded key's material is in none of them.
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setKeepLogFileNum(2).setTableFormatConfig(table);
        // Not synced: the index is a copy of what Kafka holds durably. A crash loses at most the last batches, whose
        // records are replayed again from the positions committed with the state before them.
        this.writeOptions = new WriteOptions();
        this.db = openOrRebuild();
        Set<String> pending = new java.util.HashSet<>();
        forEachWithPrefix(ERASE_PENDING, (k, v) -> pending.add(k.substring(ERASE_PENDING.length())));
        if (!pending.isEmpty()) {
            forgetLater(pending);
        }
    }

    /**
     * Opens the index; one that cannot be opened for another reason than another process holding it (a corrupt file)
     * is destroyed and made again: it is only a copy of the registry, which the replay then reads from the beginning.
     */
    private RocksDB openOrRebuild() {
        try {
            return RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("While lock file") || m.contains("lock hold by current process")) {
                close(writeOptions, options, bloomFilter, blockCache);
                throw new LockedException(dir, e);
            }
            LOG.warn("the key registry index {} cannot be opened ({}): rebuilding it from the registry", dir, m);
            try {
                RocksDB.destroyDB(dir.toString(), options);
                return RocksDB.open(options, dir.toString());
            } catch (RocksDBException again) {
                close(writeOptions, options, bloomFilter, blockCache);
                throw new IllegalStateException("cannot open the key registry index " + dir + ": " + again.getMessage(), again);
            }
        }
    }

    /**
     * Opens (or creates) the store in {@code dir}, an owner-only directory.
     *
     * @param blockCacheBytes the bound on the memory the store caches its blocks in
     * @param eraseInterval   the least time between two rounds of the eraser (each rewrites the index's files)
     * @throws LockedException another process has it open
     */
    static RocksRegistryStore open(Path dir, long blockCacheBytes, Duration eraseInterval) {
        return new RocksRegistryStore(dir, blockCacheBytes, eraseInterval);
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
            for (String key : erased) {
                batch.put(bytes(ERASE_PENDING + key), new byte[] {1}); // survives a crash before the eraser ran
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("the key registry index " + dir + " could not be written: " + e.getMessage(), e);
        } finally {
            lifecycle.readLock().unlock();
        }
        if (!erased.isEmpty()) {
            forgetLater(erased);
        }
    }

    /**
     * Hands keys to the eraser: at once if its last round is older than the interval, else when the interval is up;
     * keys arriving meanwhile are taken together in that round.
     */
    private void forgetLater(Set<String> keys) {
        synchronized (toForget) {
            toForget.addAll(keys);
            scheduleRound(Math.max(0, eraseInterval.toNanos() - (System.nanoTime() - lastRoundNanos)));
        }
    }

    /** Holding {@code toForget}'s monitor. */
    private void scheduleRound(long waitNanos) {
        if (eraserScheduled) {
            return;
        }
        try {
            eraser.schedule(this::forgetPending, waitNanos, TimeUnit.NANOSECONDS);
            eraserScheduled = true;
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closing: the keys stay marked in the index, and the next process of this identity erases them
        }
    }

    /**
     * The eraser's round: flush the memtable (its write-ahead log is then deleted) and compact the erased keys' range
     * (the table files holding older values are rewritten and unlinked), then drop the keys' pending marks. Every
     * flushed file spans the whole key space (keys are random ids), so any compaction rewrites about the whole index:
     * one per round, off the replay thread (a shred must reach every cache within 5 s, and at 10 million customers a
     * round takes 2–7 s), at most once per interval.
     */
    private void forgetPending() {
        Set<String> keys;
        synchronized (toForget) {
            keys = new java.util.TreeSet<>(toForget);
            toForget.clear();
            eraserScheduled = false;
            roundRunning = true;
            lastRoundNanos = System.nanoTime();
        }
        boolean done = keys.isEmpty() || eraseOnce(keys);
        synchronized (toForget) {
            roundRunning = false;
            if (!done) {
                toForget.addAll(keys);
                scheduleRound(RETRY_AFTER_FAILURE.toNanos());
            }
            toForget.notifyAll();
        }
    }

    private boolean eraseOnce(Set<String> keys) {
        lifecycle.readLock().lock();
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
             CompactRangeOptions compact = new CompactRangeOptions()
                     .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce);
             WriteBatch done = new WriteBatch()) {
            if (closed) {
                return true; // the marks stay: the next process of this identity finishes the job
            }
            db.flush(flush);
            byte[] first = bytes(((java.util.TreeSet<String>) keys).first());
            byte[] last = bytes(((java.util.TreeSet<String>) keys).last());
            db.compactRange(db.getDefaultColumnFamily(), first, java.util.Arrays.copyOf(last, last.length + 1), compact);
            for (String key : keys) {
                done.delete(bytes(ERASE_PENDING + key));
            }
            db.write(writeOptions, done);
            return true;
        } catch (RocksDBException | RuntimeException e) {
            LOG.warn("the key registry index {} could not yet remove the superseded copies of {} erased keys; trying"
                    + " again in {}", dir, keys.size(), RETRY_AFTER_FAILURE, e);
            return false;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Waits until every erasure committed so far has left the index's files (tests and benchmarks; with an interval,
     * until the interval is up).
     */
    void awaitForgotten() throws InterruptedException {
        synchronized (toForget) {
            while (eraserScheduled || roundRunning) {
                toForget.wait();
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
        synchronized (toForget) {
            if (eraserScheduled && !eraser.isShutdown()) {
                eraser.execute(this::forgetPending); // not waiting out the interval: finish before closing
            }
        }
        // Delayed rounds are dropped by shutdown; the one just queued and one running finish first.
        eraser.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        eraser.shutdown();
        try {
            eraser.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
