package io.securelake.audit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes audit writes off the caller's thread (an authorizer must answer in microseconds): records go
 * into a bounded queue and one writer thread hands them to the delegate in batches, flushing after each
 * batch. Nothing is dropped: a full queue blocks the caller (back-pressure), a failed batch is retried,
 * {@link #flush} waits until everything written before it is flushed, {@link #close} drains the queue.
 * Put a {@link SpoolingAuditSink} behind it when the delegate can be down.
 */
public final class BatchingAuditSink implements AuditSink {
    private final AuditSink delegate;
    private final BlockingQueue<AuditRecord> queue;
    private final Duration maxDelay;
    private final Duration flushTimeout;
    private final Thread writer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private long enqueued;
    private long flushed;
    private volatile boolean closing;
    private RuntimeException lastError;

    /**
     * @param capacity     queue size before writers block
     * @param maxDelay     longest a record waits for its batch
     * @param flushTimeout longest {@link #flush} waits before reporting the delegate as stuck
     */
    public BatchingAuditSink(AuditSink delegate, int capacity, Duration maxDelay, Duration flushTimeout) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
        this.flushTimeout = Objects.requireNonNull(flushTimeout, "flushTimeout");
        this.writer = new Thread(this::run, "audit-batch-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    @Override
    public void write(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        if (closing) {
            throw new AuditSinkException("audit sink " + this + " is closed");
        }
        lock.lock();
        try {
            // Counting under the lock keeps "enqueued" in the order records enter the queue.
            enqueued++;
        } finally {
            lock.unlock();
        }
        try {
            queue.put(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditSinkException("interrupted while queueing an audit record for " + delegate, e);
        }
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            long target = enqueued;
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
            // writer notices "closing" within maxDelay.
            try {
                writer.join(flushTimeout.plus(maxDelay).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delegate.close();
        }
    }

    private void run() {
        List<AuditRecord> batch = new ArrayList<>();
        while (!(closing && queue.isEmpty() && batch.isEmpty())) {
            try {
                if (batch.isEmpty()) {
                    AuditRecord first = queue.poll(maxDelay.toMillis(), TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, 4096);
                }
                for (AuditRecord r : batch) {
                    delegate.write(r);
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
                lock.lock();
                try {
                    lastError = e;
                } finally {
                    lock.unlock();
                }
                // Keep the batch and wait before retrying, without spinning on a dead delegate.
                try {
                    AuditRecord next = queue.poll(maxDelay.toMillis(), TimeUnit.MILLISECONDS);
                    if (next != null) {
                        batch.add(next);
                    }
                } catch (InterruptedException ie) {
                    if (!closing) {
                        return;
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "BatchingAuditSink[" + delegate + "]";
    }
}
