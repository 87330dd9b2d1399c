package io.securelake.operations.keys;

import io.securelake.encryption.KeyServiceUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * How far one process has replayed the key registry, per partition, and who waits for it: threads that block
 * until a record they wrote (or one that existed when they asked) is replayed, and futures completed when it is.
 * The replay thread {@linkplain #advance advances} it after each commit; futures are completed on {@code completions},
 * never on the replay thread, so what a caller chains to them cannot hold up the replay.
 */
final class ReplayProgress {

    private record Waiter(long offset, CompletableFuture<Void> future) {
    }

    private final Duration timeout;
    private final Executor completions;
    /** Guarded by itself: next offset to replay per partition, and the futures waiting on one, soonest first. */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, PriorityQueue<Waiter>> waiters = new HashMap<>();
    private RuntimeException failure;

    ReplayProgress(Duration timeout, Executor completions) {
        this.timeout = timeout;
        this.completions = completions;
    }

    /** Where the replay of {@code tp} starts. Before the replay thread runs. */
    void start(TopicPartition tp, long nextOffset) {
        synchronized (next) {
            next.put(tp, nextOffset);
        }
    }

    List<TopicPartition> partitions() {
        synchronized (next) {
            return List.copyOf(next.keySet());
        }
    }

    /** Whether {@code positions} (the consumer's) differ from what was last committed. */
    boolean movedTo(Map<TopicPartition, Long> positions) {
        synchronized (next) {
            return !positions.equals(next);
        }
    }

    /** The replay committed everything before {@code positions}: wakes whoever waits for it. */
    void advance(Map<TopicPartition, Long> positions) {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (next) {
            next.putAll(positions);
            next.notifyAll();
            positions.forEach((tp, position) -> {
                PriorityQueue<Waiter> queue = waiters.get(tp);
                while (queue != null && !queue.isEmpty() && queue.peek().offset() < position) {
                    due.add(queue.poll().future());
                }
            });
        }
        due.forEach(f -> runOnCompletions(() -> f.complete(null)));
    }

    /** The replay stopped for good: every waiter fails with {@code cause}. */
    void fail(RuntimeException cause) {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        synchronized (next) {
            failure = cause;
            next.notifyAll();
            waiters.values().forEach(q -> q.forEach(w -> due.add(w.future())));
            waiters.clear();
        }
        KeyServiceUnavailableException failed = replayFailed(cause);
        due.forEach(f -> runOnCompletions(() -> f.completeExceptionally(failed)));
    }

    /** Blocks until the record at {@code offset} of {@code tp} is replayed. */
    void await(TopicPartition tp, long offset) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (next) {
            while (next.getOrDefault(tp, 0L) <= offset) {
                if (failure != null) {
                    throw replayFailed(failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw notReplayed(tp, offset);
                }
                try {
                    next.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KeyServiceUnavailableException("interrupted while waiting for the key registry", e);
                }
            }
        }
    }

    /**
     * Completes (on the completions executor) once the record at {@code offset} of {@code tp} is replayed; fails with
     * {@link KeyServiceUnavailableException} if that takes longer than the timeout or the replay stops.
     */
    CompletableFuture<Void> whenReplayed(TopicPartition tp, long offset) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (next) {
            if (failure != null) {
                return CompletableFuture.failedFuture(replayFailed(failure));
            }
            if (next.getOrDefault(tp, 0L) > offset) {
                runOnCompletions(() -> future.complete(null));
                return future;
            }
            waiters.computeIfAbsent(tp, t -> new PriorityQueue<>((a, b) -> Long.compare(a.offset(), b.offset())))
                    .add(new Waiter(offset, future));
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS, this::runOnCompletions)
                .execute(() -> {
                    if (!future.isDone()) {
                        synchronized (next) {
                            PriorityQueue<Waiter> queue = waiters.get(tp);
                            if (queue != null) {
                                queue.removeIf(w -> w.future() == future);
                            }
                        }
                        future.completeExceptionally(notReplayed(tp, offset));
                    }
                });
        return future;
    }

    /** On the completions executor; on this thread once that is shut down (the registry closing). */
    private void runOnCompletions(Runnable completion) {
        try {
            completions.execute(completion);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            completion.run();
        }
    }

    private KeyServiceUnavailableException notReplayed(TopicPartition tp, long offset) {
        return new KeyServiceUnavailableException("the key registry did not replay " + tp + " up to offset " + offset
                + " within " + timeout.toSeconds() + " s", null);
    }

    private static KeyServiceUnavailableException replayFailed(RuntimeException failure) {
        return new KeyServiceUnavailableException("the key registry's replay failed: " + failure.getMessage(), failure);
    }
}
