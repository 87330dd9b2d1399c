package io.securelake.ingest.producer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Holds the events of data subjects whose keys are being made (a new customer's key travels to the shared key
 * registry and back) so that neither the caller nor other subjects' events wait for them. A subject's events are
 * handed to Kafka in the order they were sent, after its key is ready; a subject whose key is at hand goes straight
 * through. At most {@code maxWaiting} events wait at once: past that, {@link #send} waits as Kafka's {@code send}
 * waits for buffer space, up to {@code max.block.ms}.
 *
 * <p>Held events are handed to Kafka on a thread of this queue, never on the key registry's or Kafka's own threads:
 * encrypting may call the registry again, and a Kafka send may wait for buffer space those threads free.
 */
final class NewSubjectQueue implements AutoCloseable {

    private static final int STRIPES = 64;

    /** One stripe's subjects with events waiting: the future their next event waits for. Guarded by the stripe. */
    private final Map<String, CompletableFuture<Void>>[] waitingSubjects;
    private final int maxWaiting;
    private final long maxBlockMillis;
    private final ExecutorService sender;
    /** Events waiting now; guarded by itself. */
    private final int[] waiting = {0};

    @SuppressWarnings("unchecked")
    NewSubjectQueue(int maxWaiting, long maxBlockMillis, String name) {
        if (maxWaiting < 1) {
            throw new IllegalArgumentException("maxWaiting must be positive: " + maxWaiting);
        }
        this.maxWaiting = maxWaiting;
        this.maxBlockMillis = maxBlockMillis;
        this.waitingSubjects = new Map[STRIPES];
        for (int i = 0; i < STRIPES; i++) {
            waitingSubjects[i] = new HashMap<>();
        }
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends one event of {@code subject}: at once if its key is ready and none of its events wait, else once its key
     * is ready and its earlier events were handed over.
     *
     * @param prepare   readies the subject's key (see {@code FieldCipher.prepareSubjectKey})
     * @param send      encrypts the event and hands it to Kafka now
     * @param sendLater what does the same later, taken when the event is held (the caller may reuse its event):
     *                  given null when the key is ready, or why this event's key could not be readied
     */
    CompletableFuture<IngestResult> send(String subject, Supplier<CompletableFuture<Void>> prepare,
                                         Supplier<CompletableFuture<IngestResult>> send,
                                         Supplier<Function<Throwable, CompletableFuture<IngestResult>>> sendLater) {
        awaitRoom();
        Map<String, CompletableFuture<Void>> stripe = waitingSubjects[Math.floorMod(subject.hashCode(), STRIPES)];
        CompletableFuture<Void> handedOver = new CompletableFuture<>();
        CompletableFuture<Void> before;
        boolean first;
        synchronized (stripe) {
            before = stripe.get(subject);
            first = before == null;
            if (first) {
                before = prepare.get();
            }
            if (!first || !before.isDone() || before.isCompletedExceptionally()) {
                stripe.put(subject, handedOver);
                synchronized (waiting) {
                    waiting[0]++;
                }
            }
        }
        if (first && before.isDone() && !before.isCompletedExceptionally()) {
            return send.get(); // the common case: a known subject, nothing of it waiting
        }
        CompletableFuture<IngestResult> result = new CompletableFuture<>();
        boolean readiedHere = first;
        Function<Throwable, CompletableFuture<IngestResult>> heldSend = sendLater.get();
        before.whenCompleteAsync((ready, error) -> {
            try {
                // An event behind another of its subject encrypts anew: if the key could not be readied, it tries again.
                CompletableFuture<IngestResult> outcome = heldSend.apply(error != null && readiedHere ? unwrap(error) : null);
                outcome.whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(unwrap(e));
                    } else {
                        result.complete(r);
                    }
                });
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            } finally {
                synchronized (stripe) {
                    stripe.remove(subject, handedOver);
                }
                handedOver.complete(null);
                synchronized (waiting) {
                    waiting[0]--;
                    waiting.notifyAll();
                }
            }
        }, sender);
        return result;
    }

    private void awaitRoom() {
        synchronized (waiting) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxBlockMillis);
            while (waiting[0] >= maxWaiting) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IngestException(waiting[0] + " events of new customers have waited for their keys for"
                            + " over " + maxBlockMillis + " ms (max.block.ms): the key registry is not keeping up", null);
                }
                try {
                    waiting.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IngestException("interrupted while waiting for new customers' keys", e);
                }
            }
        }
    }

    /** Waits until every event held so far was handed to Kafka (or failed). */
    void drain() {
        synchronized (waiting) {
            while (waiting[0] > 0) {
                try {
                    waiting.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IngestException("interrupted while handing held events to Kafka", e);
                }
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Hands over what is held, then stops the sending thread. */
    @Override
    public void close() {
        try {
            drain();
        } finally {
            sender.shutdown();
        }
    }
}
