package io.securelake.audit;

import io.securelake.contracts.files.DurableLocalFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Puts a local spool in front of a sink that can be down (e.g. the HDFS trail). While the remote sink
 * works, records go straight to it; records it has not acknowledged with a successful flush are kept
 * in memory. When a write or flush fails, those records and every later one go to an fsync'd spool
 * file, in order, and a background task retries every {@code retryEvery}, replaying the spool in order
 * before new records. Nothing is dropped: delivery is at-least-once (a replay interrupted by a second
 * failure may repeat the records of its unfinished batch; each record keeps its request id and time).
 * A spool left by a previous process is replayed first.
 */
public final class SpoolingAuditSink implements AuditSink {
    private static final int REPLAY_BATCH = 500;

    private final AuditSink remote;
    private final Path spoolFile;
    private final Path offsetFile;
    private final ScheduledExecutorService retrier;
    private final Consumer<String> log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private final List<AuditRecord> unacknowledged = new ArrayList<>();
    private FileChannel spool;
    private boolean spooling;
    private boolean closed;
    private String lastFailure = "";

    /**
     * @param remote     the sink that may fail
     * @param spoolDir   local directory for the spool (created if missing)
     * @param retryEvery how often to retry the remote sink while spooling
     * @param log        receives one line per state change (spooling, replayed)
     */
    public SpoolingAuditSink(AuditSink remote, Path spoolDir, Duration retryEvery, Consumer<String> log) {
        this.remote = Objects.requireNonNull(remote, "remote");
        this.log = Objects.requireNonNull(log, "log");
        try {
            Files.createDirectories(spoolDir);
        } catch (IOException e) {
            throw new AuditSinkException("cannot create audit spool directory " + spoolDir + ": " + e.getMessage(), e);
        }
        this.spoolFile = spoolDir.resolve("spool.jsonl");
        this.offsetFile = spoolDir.resolve("spool.offset");
        this.spooling = Files.exists(spoolFile);
        this.retrier = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "audit-spool-retry-" + spoolDir.getFileName());
            t.setDaemon(true);
            return t;
        });
        long millis = Math.max(1, retryEvery.toMillis());
        retrier.scheduleWithFixedDelay(this::retryQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void write(AuditRecord record) {
        lock.lock();
        try {
            ensureOpen();
            if (spooling) {
                appendToSpool(List.of(record));
                return;
            }
            try {
                remote.write(record);
                unacknowledged.add(record);
            } catch (RuntimeException e) {
                startSpooling(e);
                appendToSpool(List.of(record));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Flushes the remote sink, or, while spooling, fsyncs the spool and tries one replay. */
    @Override
    public void flush() {
        lock.lock();
        try {
            ensureOpen();
            if (!spooling) {
                try {
                    remote.flush();
                    unacknowledged.clear();
                    return;
                } catch (RuntimeException e) {
                    startSpooling(e);
                }
            }
            forceSpool();
            replay();
        } finally {
            lock.unlock();
        }
    }

    /** True while records are being kept in the local spool. */
    public boolean spooling() {
        lock.lock();
        try {
            return spooling;
        } finally {
            lock.unlock();
        }
    }

    /** Why the remote sink was last refused, or empty. */
    public String lastFailure() {
        lock.lock();
        try {
            return lastFailure;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the spool has been replayed to the remote sink. @return false on timeout */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (spooling) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = drained.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Flushes, stops retrying and closes the remote sink; an unreplayed spool stays on disk for the next start. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            try {
                flush();
            } finally {
                closed = true;
                retrier.shutdownNow();
                closeSpool();
                if (spooling) {
                    log.accept("audit: " + spoolFile + " keeps records the remote sink (" + remote
                            + ") has not taken; they are replayed at the next start");
                }
                try {
                    remote.close();
                } catch (RuntimeException e) {
                    // Closing a sink that is down fails again; its records are safe in the spool.
                    log.accept("audit: closing " + remote + " failed: " + e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void retryQuietly() {
        lock.lock();
        try {
            if (!closed && spooling) {
                forceSpool();
                replay();
            }
        } catch (RuntimeException e) {
            lastFailure = e.getMessage();
        } finally {
            lock.unlock();
        }
    }

    private void startSpooling(RuntimeException cause) {
        lastFailure = cause.getMessage();
        log.accept("audit: " + remote + " refused records (" + cause.getMessage() + "); spooling to " + spoolFile);
        spooling = true;
        // Records the remote accepted but never confirmed durable are spooled again, ahead of new ones.
        List<AuditRecord> pending = List.copyOf(unacknowledged);
        unacknowledged.clear();
        appendToSpool(pending);
    }

    /** Replays the spool in batches; each fully flushed batch advances a persisted offset. */
    private void replay() {
        if (!Files.exists(spoolFile)) {
            finishReplay();
            return;
        }
        long done = readOffset();
        long lineNo = 0;
        List<AuditRecord> batch = new ArrayList<>(REPLAY_BATCH);
        try (BufferedReader in = Files.newBufferedReader(spoolFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo <= done || line.isBlank()) {
                    continue;
                }
                batch.add(AuditJson.MAPPER.readValue(line, AuditRecord.class));
                if (batch.size() == REPLAY_BATCH) {
                    if (!deliver(batch, lineNo)) {
                        return;
                    }
                }
            }
            if (!batch.isEmpty() && !deliver(batch, lineNo)) {
                return;
            }
        } catch (IOException e) {
            throw new AuditSinkException("cannot read audit spool " + spoolFile + ": " + e.getMessage(), e);
        }
        closeSpool();
        try {
            Files.deleteIfExists(spoolFile);
            Files.deleteIfExists(offsetFile);
        } catch (IOException e) {
            throw new AuditSinkException("cannot remove replayed audit spool " + spoolFile + ": " + e.getMessage(), e);
        }
        log.accept("audit: replayed the spool to " + remote + " (" + lineNo + " records)");
        finishReplay();
    }

    private boolean deliver(List<AuditRecord> batch, long upToLine) {
        try {
            for (AuditRecord r : batch) {
                remote.write(r);
            }
            remote.flush();
        } catch (RuntimeException e) {
            lastFailure = e.getMessage();
            return false;
        }
        batch.clear();
        writeOffset(upToLine);
        return true;
    }

    private void finishReplay() {
        spooling = false;
        lastFailure = "";
        drained.signalAll();
    }

    private void appendToSpool(List<AuditRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try {
            if (spool == null) {
                spool = FileChannel.open(spoolFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
            }
            StringBuilder text = new StringBuilder();
            for (AuditRecord r : records) {
                text.append(AuditJson.MAPPER.writeValueAsString(r)).append('\n');
            }
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                spool.write(bytes);
            }
        } catch (IOException e) {
            // Both the remote sink and the local disk refuse: the caller must know records are at risk.
            throw new AuditSinkException("audit records cannot be kept: remote sink " + remote + " failed ("
                    + lastFailure + ") and the spool " + spoolFile + " failed: " + e.getMessage(), e);
        }
    }

    private void forceSpool() {
        if (spool != null) {
            try {
                spool.force(false);
            } catch (IOException e) {
                throw new AuditSinkException("cannot fsync audit spool " + spoolFile + ": " + e.getMessage(), e);
            }
        }
    }

    private void closeSpool() {
        if (spool != null) {
            try {
                spool.force(false);
                spool.close();
            } catch (IOException ignored) {
                // the spool's content was forced on every flush
            }
            spool = null;
        }
    }

    private long readOffset() {
        try {
            return Files.exists(offsetFile) ? Long.parseLong(Files.readString(offsetFile).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            throw new AuditSinkException("unreadable audit spool offset " + offsetFile + ": " + e.getMessage(), e);
        }
    }

    private void writeOffset(long line) {
        try {
            // Atomically and durably: after a crash the offset is the old or the new one, never an empty file the
            // next start could not read.
            DurableLocalFiles.writeAtomically(offsetFile, Long.toString(line).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new AuditSinkException("cannot record audit spool offset " + offsetFile + ": " + e.getMessage(), e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new AuditSinkException("audit sink " + this + " is closed");
        }
    }

    @Override
    public String toString() {
        return "SpoolingAuditSink[" + remote + " via " + spoolFile + "]";
    }
}
