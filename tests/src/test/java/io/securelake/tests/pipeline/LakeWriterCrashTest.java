package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.envs.Dataset;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.lakewriter.WriterEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lake-writer runs as its own process and is killed with SIGKILL repeatedly while 100,000 events
 * stream in; afterwards the raw zone holds exactly the produced set: no loss, no duplicate.
 */
class LakeWriterCrashTest {
    static final int EVENTS = 100_000;

    @TempDir
    static Path base;
    static PipelineFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(base);
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void sigkilledRepeatedlyTheRawZoneHoldsExactlyTheProducedEvents() throws Exception {
        Dataset payments = fx.env.dataset("payments").orElseThrow();
        Path state = base.resolve("writer-state");
        Path log = base.resolve("writer.log");
        Set<String> produced = ConcurrentHashMap.newKeySet();
        AtomicLong acked = new AtomicLong();
        CompletableFuture<Void> firstWindowAcked = new CompletableFuture<>();

        // Produce in the background while the writer is being killed.
        CompletableFuture<Void> production = CompletableFuture.runAsync(() -> {
            try (SecureProducer p = SecureProducer.open(fx.ingestConfig("payments", fx.principal(ServiceRole.INGEST), true),
                    fx.env, null)) {
                EventGenerator gen = EventGenerator.of("payments", 99, 100, Instant.parse("2026-11-25T08:00:00Z"),
                        Duration.ofHours(3));
                List<CompletableFuture<IngestResult>> window = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    ObjectNode e = gen.next();
                    produced.add(e.get("event_id").asText());
                    window.add(p.send(e).thenApply(r -> {
                        if (acked.incrementAndGet() == 5_000) {
                            firstWindowAcked.complete(null);
                        }
                        return r;
                    }));
                    if (window.size() == 5_000) {
                        window.forEach(f -> assertThat(f.join()).isInstanceOf(IngestResult.Accepted.class));
                        window.clear();
                    }
                }
                window.forEach(f -> assertThat(f.join()).isInstanceOf(IngestResult.Accepted.class));
            }
        });

        // The writer starts (and dies) while events are streaming in.
        // The first 5,000 acknowledged, or production failed (and with it the test).
        CompletableFuture.anyOf(firstWindowAcked, production).get(120, TimeUnit.SECONDS);
        // Kill at different moments: right after the first commit, while recovering, after several commits,
        // and mid-batch (after the first commit following a restart).
        List<Moment> moments = List.of(new Moment(WriterEvent.BatchCommitted.class, 1),
                new Moment(WriterEvent.RecoveryCompleted.class, 1), new Moment(WriterEvent.BatchCommitted.class, 3),
                new Moment(WriterEvent.Assigned.class, 1), new Moment(WriterEvent.BatchCommitted.class, 2),
                new Moment(WriterEvent.BatchCommitted.class, 1));
        int kills = 0;
        for (Moment moment : moments) {
            WriterProcess w = new WriterProcess(fx, state, log);
            w.progress.await(moment.toString(), Duration.ofSeconds(90), p -> p.count(moment.event()) >= moment.nth());
            w.sigkill();
            kills++;
        }
        production.get();
        assertThat(acked.get()).isEqualTo(EVENTS);

        // The last writer runs until it has caught up, then stops gracefully.
        WriterProcess last = new WriterProcess(fx, state, log);
        String lw = fx.principal(ServiceRole.LAKE_WRITER);
        String topic = fx.env.names().rawTopic(payments);
        last.progress.await("the writer to catch up", Duration.ofSeconds(150), p -> WriterStatusFile.in(state).caughtUp(topic));
        last.process.destroy(); // SIGTERM: graceful
        assertThat(last.process.waitFor()).isIn(0, 143);

        Map<String, Integer> seen = fx.landedEvents(payments);
        Set<String> duplicates = new HashSet<>();
        seen.forEach((id, count) -> {
            if (count > 1) {
                duplicates.add(id);
            }
        });
        assertThat(kills).isEqualTo(moments.size());
        assertThat(duplicates).as("duplicated events").isEmpty();
        assertThat(seen.keySet()).as("landed events").hasSize(EVENTS).containsExactlyInAnyOrderElementsOf(produced);
        // Old manifests were pruned to the retained few across every restart (the writer tracks them since its
        // recovery instead of listing them at each commit).
        assertThat(fx.manifestsPerPartition(payments)).isNotEmpty().allSatisfy((partition, manifests) ->
                assertThat(manifests).as("manifests of partition " + partition).isBetween(1,
                        io.securelake.lakewriter.LakeWriterConfig.DEFAULT_MANIFESTS_RETAINED));
        System.out.println("crash test: " + kills + " SIGKILLs, " + seen.size() + " events");
    }

    /** A writer is killed once it has reported its {@code nth} event of this kind. */
    private record Moment(Class<? extends WriterEvent> event, int nth) {
        @Override
        public String toString() {
            return event.getSimpleName() + " #" + nth;
        }
    }
}
