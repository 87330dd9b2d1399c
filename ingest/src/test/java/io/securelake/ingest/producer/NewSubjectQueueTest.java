package io.securelake.ingest.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.encryption.KeyServiceUnavailableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue that lets new customers' events wait for their keys: the caller is never held, a subject's events are
 * handed over in the order sent and only after its key is ready, other subjects go straight through, a key that
 * cannot be readied fails its event with the reason, and what waits is bounded.
 */
@Timeout(30) // a queue closed with keys never readied would wait for them (the registry's own timeout bounds that)
class NewSubjectQueueTest {

    /** Keys readied by hand: one future per subject, completed by the test. */
    private final Map<String, CompletableFuture<Void>> keys = new ConcurrentHashMap<>();
    private final List<String> handedOver = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger prepared = new AtomicInteger();

    private CompletableFuture<IngestResult> send(NewSubjectQueue queue, String subject, String event) {
        Supplier<CompletableFuture<IngestResult>> send = () -> {
            handedOver.add(event);
            return CompletableFuture.completedFuture(new IngestResult.Accepted("raw", 0, handedOver.size()));
        };
        return queue.send(subject, () -> {
            prepared.incrementAndGet();
            return keys.computeIfAbsent(subject, s -> new CompletableFuture<>());
        }, send, () -> error -> error == null ? send.get()
                : CompletableFuture.failedFuture(new IngestException("not sent: " + error.getMessage(), error)));
    }

    @Test
    void aNewSubjectsEventsWaitForItsKeyInOrderWhileOtherSubjectsGoStraightThrough() throws Exception {
        keys.put("known", CompletableFuture.completedFuture(null));
        try (NewSubjectQueue queue = new NewSubjectQueue(100, 5_000, "test-new-subjects")) {
            CompletableFuture<IngestResult> first = send(queue, "new", "new-1");
            CompletableFuture<IngestResult> second = send(queue, "new", "new-2");
            CompletableFuture<IngestResult> known = send(queue, "known", "known-1");
            assertThat(known).isCompleted();
            assertThat(handedOver).containsExactly("known-1");
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();
            assertThat(prepared).as("the key is readied once, not per event").hasValue(2);

            keys.get("new").complete(null);
            first.get(5, TimeUnit.SECONDS);
            second.get(5, TimeUnit.SECONDS);
            assertThat(handedOver).containsExactly("known-1", "new-1", "new-2");

            // Nothing of it waits any more: the next event goes straight through.
            CompletableFuture<IngestResult> third = send(queue, "new", "new-3");
            assertThat(third).isCompleted();
        }
    }

    @Test
    void aKeyThatCannotBeReadiedFailsItsEventWithTheReasonAndTheNextEventTriesAgain() throws Exception {
        try (NewSubjectQueue queue = new NewSubjectQueue(100, 5_000, "test-new-subjects")) {
            CompletableFuture<IngestResult> first = send(queue, "c", "c-1");
            CompletableFuture<IngestResult> second = send(queue, "c", "c-2");
            keys.get("c").completeExceptionally(new KeyServiceUnavailableException("the key registry did not answer", null));
            assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IngestException.class)
                    .hasMessageContaining("the key registry did not answer");
            // The second event is encrypted anew (the cipher asks the registry again), not failed with the first.
            second.get(5, TimeUnit.SECONDS);
            assertThat(handedOver).containsExactly("c-2");
        }
    }

    @Test
    void theEventsWaitingAreBoundedAndTheCallerIsToldWhenTheRegistryDoesNotKeepUp() throws Exception {
        try (NewSubjectQueue queue = new NewSubjectQueue(2, 300, "test-new-subjects")) {
            send(queue, "a", "a-1");
            send(queue, "b", "b-1");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> send(queue, "c", "c-1")).isInstanceOf(IngestException.class)
                    .hasMessageContaining("2 events of new customers have waited for their keys for over 300 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(300);
            keys.get("a").complete(null);
            keys.get("b").complete(null);
            queue.drain();
            assertThat(handedOver).containsExactlyInAnyOrder("a-1", "b-1");
        }
    }

    @Test
    void closingHandsOverWhatWaits() throws Exception {
        CompletableFuture<IngestResult> waiting;
        NewSubjectQueue queue = new NewSubjectQueue(10, 5_000, "test-new-subjects");
        waiting = send(queue, "d", "d-1");
        CompletableFuture.runAsync(() -> keys.get("d").complete(null),
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
        queue.close();
        assertThat(waiting).isCompleted();
        assertThat(handedOver).containsExactly("d-1");
        assertThat(waiting.join()).isInstanceOf(IngestResult.Accepted.class);
    }
}
