package io.securelake.audit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes audit writes off the caller's thread (an authorizer must answer in microseconds): records go
 * into a bounded queue and one writer thread hands them to the delegate in batches, flushing after each
 * batch. Nothing is dropped: a full queue blocks the caller (back-pressure), a failed batch is retried,
 * {@link #flush} waits until everything written before it is flushed, {@link #close} drains the queue.
 * A caller blocked on a full queue for longer than {@code flushTimeout} (the delegate is stuck) gets an
 * {@link AuditSinkException} instead of waiting forever: the record was not taken, so a
 * {@code PolicyStore} denies the request it described.
 * Put a {@link SpoolingAuditSink} behind it when the delegate can be down.
 * <p>
 * In front of a {@link JsonLinesAuditSink} (the local trail) the flush is pipelined: the writer thread
 * appends a batch (chain hash) and seals it, then hands the write and the fsync to a second thread
 * ({@code audit-batch-io}) and goes on with the next batch while the disk commits; a record counts as
 * flushed only once an fsync that covers it has returned. If a write or an fsync fails, every record
 * not yet confirmed is written again, in order, before anything newer (a record may then appear twice
 * in the trail, never zero times). When only a few records are waiting, the writer lingers up to a
 * millisecond (at most half of maxDelay) so they go out as one write and one fsync rather than one
 * each. When the writer falls behind, callers render their records' canonical JSON themselves before
 * queueing them, leaving only the hash chain to the single writer.
 */
public final class BatchingAuditSink implements AuditSink {
    private static final int MAX_BATCH = 4096;
    /** Written-but-not-yet-fsync'd batches allowed before the writer waits for the disk. */
    private static final int MAX_UNSYNCED_BATCHES = 4;
    /** Below this many waiting records the writer lingers before taking a batch. */
    private static final int LINGER_BELOW = MAX_BATCH / 8;
    private static final long MAX_LINGER_NANOS = 1_000_000;
    private static final ThreadLocal<Renderer> RENDERERS = ThreadLocal.withInitial(Renderer::new);

    private final AuditSink delegate;
    /** The delegate when it is the local trail (pipelined, and queued items may be pre-rendered byte[]), else null. */
    private final JsonLinesAuditSink trail;
    /** AuditRecord, or byte[] (a record's canonical JSON rendered by the caller) when {@link #trail} is set. */
    private final BlockingQueue<Object> queue;
    /** Records waiting when a batch starts from which the writer counts as behind. */
    private final int behindBacklog;
    private final Duration maxDelay;
    private final long lingerNanos;
    private final Duration flushTimeout;
    private final Thread writer;
    private final Thread syncer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when records become durable, when an fsync fails, and when the writer stops. */
    private final Condition progress = lock.newCondition();
    private final Condition toSync = lock.newCondition();
    private final LongAdder enqueued = new LongAdder();
    private final LongAdder renderedByCallers = new LongAdder();
    // Guarded by lock:
    private long flushed;
    private RuntimeException lastError;
    /** Batches written to the trail, oldest first, waiting for an fsync (trail only). */
    private final ArrayDeque<Written> unsynced = new ArrayDeque<>();
    /** Records whose fsync failed, oldest first: the writer writes them again before anything else. */
    private List<Object> failed;
    private boolean writerDone;
    /** Set by the writer while a backlog builds up in the queue: callers then render their own records. */
    private volatile boolean behind;
    private volatile boolean closing;

    /**
     * @param capacity     queue size before writers block
     * @param maxDelay     longest a record waits for its batch
     * @param flushTimeout longest {@link #flush} waits before reporting the delegate as stuck, and longest
     *                     {@link #write} waits for room in a full queue before refusing the record
     */
    public BatchingAuditSink(AuditSink delegate, int capacity, Duration maxDelay, Duration flushTimeout) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.trail = delegate instanceof JsonLinesAuditSink j ? j : null;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.behindBacklog = Math.max(1, Math.min(MAX_BATCH, capacity / 2));
        this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
        this.lingerNanos = Math.min(MAX_LINGER_NANOS, maxDelay.toNanos() / 2);
        this.flushTimeout = Objects.requireNonNull(flushTimeout, "flushTimeout");
        this.writer = new Thread(trail != null ? this::runTrailWriter : this::runWriter, "audit-batch-writer");
        this.writer.setDaemon(true);
        this.syncer = trail != null ? new Thread(this::runSyncer, "audit-batch-io") : null;
        if (syncer != null) {
            syncer.setDaemon(true);
            syncer.start();
        }
        this.writer.start();
    }

    @Override
    public void write(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        if (closing) {
            throw new AuditSinkException("audit sink " + this + " is closed");
        }
        Object item = record;
        if (trail != null && behind) {
            item = RENDERERS.get().render(record);
            renderedByCallers.increment();
        }
        // Counted before it is queued: flush() waits for every record counted when it was called,
        // and every record ahead of this one in the queue was counted before this one was queued.
        enqueued.increment();
        boolean queued = false;
        try {
            queued = queue.offer(item) || queue.offer(item, flushTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditSinkException("interrupted while queueing an audit record for " + delegate, e);
        } finally {
            if (!queued) {
                enqueued.decrement();
            }
        }
        if (!queued) {
            String why = lastErrorMessage();
            throw new AuditSinkException("audit sink " + delegate + " took no record for " + flushTimeout
                    + " (queue full" + (why.isEmpty() ? "" : ": " + why) + ")");
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            long target = enqueued.sum();
            long nanos = flushTimeout.toNanos();
            while (flushed < target) {
                if (nanos <= 0) {
                    throw new AuditSinkException("audit sink " + delegate + " did not flush within " + flushTimeout
                            + (lastError != null ? ": " + lastError.getMessage() : ""), lastError);
                }
                nanos = progress.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditSinkException("interrupted while flushing " + delegate, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        try {
            flush();
        } finally {
            closing = true;
            // No interrupt: it would close the delegate's interruptible FileChannel mid-write. The
            // threads notice "closing" within maxDelay.
            try {
                long deadline = System.nanoTime() + flushTimeout.plus(maxDelay).toNanos();
                writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (syncer != null) {
                    syncer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delegate.close();
        }
    }

    private String lastErrorMessage() {
        lock.lock();
        try {
            return lastError == null ? "" : String.valueOf(lastError.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Blocks for the first record of a batch, then takes what else is queued; empty after maxDelay. */
    private void fill(List<Object> batch) throws InterruptedException {
        if (trail != null) {
            // What piled up while the last batch was being written: the writer is behind its callers.
            behind = queue.size() >= behindBacklog;
        }
        Object first = queue.poll(maxDelay.toMillis(), TimeUnit.MILLISECONDS);
        if (first != null) {
            batch.add(first);
            if (trail != null && lingerNanos > 0 && !closing && queue.size() < LINGER_BELOW) {
                // Parked, not waiting on the queue: callers queue without waking this thread.
                java.util.concurrent.locks.LockSupport.parkNanos(lingerNanos);
            }
            queue.drainTo(batch, MAX_BATCH - 1);
        }
    }

    /** How many records callers rendered themselves because the writer was behind (for tests). */
    long renderedByCallers() {
        return renderedByCallers.sum();
    }

    private void recordError(RuntimeException e) {
        lock.lock();
        try {
            lastError = e;
        } finally {
            lock.unlock();
        }
    }

    /** Keeps a failed batch and waits before retrying it, without spinning on a dead delegate. */
    private boolean pauseAfterFailure(List<Object> batch) {
        try {
            Object next = queue.poll(maxDelay.toMillis(), TimeUnit.MILLISECONDS);
            if (next != null) {
                batch.add(next);
            }
            return true;
        } catch (InterruptedException ie) {
            return closing;
        }
    }

    /** Any delegate: write each record of a batch, then flush it; retry the batch until it goes through. */
    private void runWriter() {
        List<Object> batch = new ArrayList<>();
        while (!(closing && queue.isEmpty() && batch.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    fill(batch);
                    if (batch.isEmpty()) {
                        continue;
                    }
                }
                for (Object r : batch) {
                    delegate.write((AuditRecord) r);
                }
                delegate.flush();
                lock.lock();
                try {
                    flushed += batch.size();
                    lastError = null;
                    progress.signalAll();
                } finally {
                    lock.unlock();
                }
                batch.clear();
            } catch (InterruptedException e) {
                if (!closing) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (RuntimeException e) {
                recordError(e);
                if (!pauseAfterFailure(batch)) {
                    return;
                }
            }
        }
    }

    /** The local trail: append (hash) and seal each batch, then hand its write and fsync to the I/O thread. */
    private void runTrailWriter() {
        List<Object> batch = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                List<Object> redo = takeFailed();
                if (redo != null) {
                    trail.reopenAfterFailure();
                    redo.addAll(batch);
                    batch = redo;
                }
                try {
                    if (batch.isEmpty()) {
                        if (closing && queue.isEmpty() && pipelineEmpty()) {
                            return;
                        }
                        fill(batch);
                        if (batch.isEmpty()) {
                            continue;
                        }
                    }
                    trail.writeBatch(batch);
                    handOver(batch, trail.seal());
                    batch = new ArrayList<>(MAX_BATCH);
                } catch (InterruptedException e) {
                    if (!closing) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                } catch (RuntimeException e) {
                    recordError(e);
                    if (!pauseAfterFailure(batch)) {
                        return;
                    }
                }
            }
        } finally {
            lock.lock();
            try {
                writerDone = true;
                toSync.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean pipelineEmpty() {
        lock.lock();
        try {
            return unsynced.isEmpty() && failed == null;
        } finally {
            lock.unlock();
        }
    }

    private List<Object> takeFailed() {
        lock.lock();
        try {
            List<Object> f = failed;
            failed = null;
            return f;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a written batch for fsync; waits while too many are waiting already (the disk is the limit). */
    private void handOver(List<Object> batch, JsonLinesAuditSink.Segment lines) throws InterruptedException {
        lock.lock();
        try {
            if (failed != null) {
                // An fsync failed meanwhile: this batch is written again after the failed ones, in order.
                if (lines != null) {
                    lines.file.release();
                }
                failed.addAll(batch);
                return;
            }
            unsynced.addLast(new Written(batch, lines));
            toSync.signal();
            while (unsynced.size() > MAX_UNSYNCED_BATCHES && failed == null) {
                progress.await(maxDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes sealed batches and forces them to disk, several at once when they queue up; confirms their records. */
    private void runSyncer() {
        List<Written> work = new ArrayList<>();
        while (true) {
            lock.lock();
            try {
                while (unsynced.isEmpty()) {
                    if (writerDone) {
                        return;
                    }
                    toSync.await(maxDelay.toMillis(), TimeUnit.MILLISECONDS);
                }
                work.clear();
                work.addAll(unsynced);
            } catch (InterruptedException e) {
                if (!closing) {
                    return;
                }
                continue;
            } finally {
                lock.unlock();
            }
            RuntimeException failure = null;
            try {
                trail.writeSealed(); // everything sealed so far, in order (a later batch may go too)
            } catch (RuntimeException e) {
                failure = e;
            }
            // One fsync per file covers every batch written to it so far; release every segment once.
            Map<JsonLinesAuditSink.OpenFile, Boolean> forced = new IdentityHashMap<>();
            for (Written w : work) {
                if (w.lines() == null) {
                    continue;
                }
                if (failure == null && w.lines().state != JsonLinesAuditSink.Segment.WRITTEN) {
                    // Dropped after a failed write (possibly on the writer's thread): not on disk.
                    failure = new AuditSinkException("audit trail: lines for " + w.lines().file.path
                            + " were not written (an earlier write failed)");
                }
                if (failure == null && forced.put(w.lines().file, Boolean.TRUE) == null) {
                    try {
                        trail.sync(w.lines());
                        continue;
                    } catch (RuntimeException e) {
                        failure = e;
                        continue; // sync released the handle
                    }
                }
                w.lines().file.release();
            }
            lock.lock();
            try {
                if (failure == null) {
                    for (int i = 0; i < work.size(); i++) {
                        flushed += unsynced.pollFirst().records().size();
                    }
                    lastError = null;
                } else {
                    lastError = failure;
                    List<Object> again = new ArrayList<>();
                    int i = 0;
                    for (Written w : unsynced) {
                        if (i++ >= work.size() && w.lines() != null) {
                            w.lines().file.release(); // sealed after this round started: not forced here
                        }
                        again.addAll(w.records());
                    }
                    unsynced.clear();
                    failed = again;
                }
                progress.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A batch written to the trail and the handle that makes it durable (null if it added no line). */
    private record Written(List<Object> records, JsonLinesAuditSink.Segment lines) {
    }

    /** A calling thread's renderer and scratch buffer. */
    private static final class Renderer {
        private final CanonicalJson json = new CanonicalJson();
        private final ByteBuf buf = new ByteBuf(1024);

        byte[] render(AuditRecord record) {
            buf.reset();
            json.render(record, buf);
            return buf.toByteArray();
        }
    }

    @Override
    public String toString() {
        return "BatchingAuditSink[" + delegate + "]";
    }
}
