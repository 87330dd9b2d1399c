package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Dataset;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.lakewriter.LakeWriter;
import io.securelake.lakewriter.LakeWriterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer under the failures a long-running service meets, on the real local core: the NameNode
 * restarting mid-run, and a writer frozen past its Kafka session (a long GC pause) that wakes up after
 * another writer took its partitions. Each time the raw zone must end up with exactly the produced events.
 */
class LakeWriterResilienceTest {

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
    void aNameNodeRestartMidRunLosesAndDuplicatesNothing() throws Exception {
        Dataset payments = fx.env.dataset("payments").orElseThrow();
        String topic = fx.env.names().rawTopic(payments);
        Path state = base.resolve("nn-writer");
        Map<String, String> props = fx.writerProperties(state);
        // Give up on a refused connection quickly, so the outage is seen as one (batches abandoned, HDFS
        // retried with backoff, partitions recovered) instead of being ridden out inside Hadoop's RPC retries.
        props.put(LakeWriterConfig.HADOOP_PREFIX + "ipc.client.connect.max.retries", "1");
        props.put(LakeWriterConfig.HADOOP_PREFIX + "ipc.client.connect.retry.interval", "200");
        Set<String> produced = ConcurrentHashMap.newKeySet();
        Progress progress = new Progress();
        EventGenerator events = EventGenerator.of("payments", 11, 200, Instant.parse("2026-11-26T06:00:00Z"),
                Duration.ofHours(4));
        try (SecureProducer producer = SecureProducer.open(fx.ingestConfig("payments", fx.principal(ServiceRole.INGEST),
                true), fx.env, null)) {
            LakeWriter writer = LakeWriter.create(LakeWriterConfig.from(props), fx.env, progress::accept).start();
            try {
                PipelineFixture.sendAll(producer, events, 10_000, produced);
                progress.await("a first commit", Duration.ofSeconds(90), p -> p.count("COMMITTED") >= 1);
                // Events keep arriving, 1,000 at a time, until the NameNode is back: the writer has batches to
                // commit all through the outage.
                java.util.concurrent.atomic.AtomicBoolean restarted = new java.util.concurrent.atomic.AtomicBoolean();
                CompletableFuture<Void> more = CompletableFuture.runAsync(() -> {
                    while (!restarted.get() && produced.size() < 40_000) {
                        PipelineFixture.sendAll(producer, events, 1_000, produced);
                    }
                    PipelineFixture.sendAll(producer, events, 1_000, produced);
                });
                fx.stack.hdfs().restartNameNode();
                restarted.set(true);
                more.get();
                progress.await("the writer to notice the outage and recover", Duration.ofSeconds(120),
                        p -> p.count("HDFS AVAILABLE again") >= 1);
                progress.await("the writer to catch up", Duration.ofSeconds(120),
                        p -> WriterStatusFile.in(state).caughtUp(topic));
            } finally {
                writer.close();
            }
        }
        System.out.println("NameNode restart, writer: " + progress.lines().stream()
                .filter(l -> l.startsWith("HDFS")).toList() + ", " + produced.size() + " events");
        assertThat(progress.count("HDFS UNAVAILABLE")).isGreaterThanOrEqualTo(1);
        fx.assertLandedExactlyOnce(payments, produced);
    }

    @Test
    void aFrozenWriterThatWakesUpAfterLosingItsPartitionsCommitsNothingTwice() throws Exception {
        Dataset prefs = fx.env.dataset("customer_preferences").orElseThrow();
        String topic = fx.env.names().rawTopic(prefs);
        String group = fx.env.names().lakeWriterConsumerGroup();
        Path log = base.resolve("zombie-writers.log");
        // A keeps a batch open for 30 s unless it reaches 64 KiB, so what is left below that once the events stop
        // is certainly uncommitted when A is frozen; B commits every second. Sessions end after 6 s.
        List<String> common = List.of("status.interval.ms=500", "kafka.session.timeout.ms=6000");
        WriterStatusFile statusA = WriterStatusFile.in(base.resolve("writer-a"));
        Set<String> produced = ConcurrentHashMap.newKeySet();
        EventGenerator events = EventGenerator.of("customer_preferences", 12, 300, Instant.parse("2026-11-26T06:00:00Z"),
                Duration.ofHours(30));
        try (SecureProducer producer = SecureProducer.open(fx.ingestConfig("customer_preferences",
                fx.principal(ServiceRole.INGEST), true), fx.env, null)) {
            WriterProcess a = new WriterProcess(fx, base.resolve("writer-a"), log, with(common, "roll.interval.ms=30000",
                    "roll.max.bytes=65536", "kafka.group.instance.id=" + group + ".writer-a"));
            WriterProcess b = null;
            try {
                PipelineFixture.sendAll(producer, events, 3_000, produced);
                // Committed and open counts from one status snapshot written after A's last commit line: a status
                // written before a commit, added to the live count of commits, could make 3,000 too early.
                java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong();
                a.progress.await("writer A to read all 3,000 events, committing full batches only", Duration.ofSeconds(90),
                        p -> p.count("COMMITTED " + topic) >= 1 && statusA.counts(topic).filter(c ->
                                c.committed() == p.committedRecords() && c.committed() + c.open() == 3_000)
                                .map(c -> {
                                    held.set(c.open());
                                    return true;
                                }).orElse(false));
                long heldByA = held.get();
                assertThat(heldByA).as("events A holds uncommitted").isPositive();
                signal("STOP", a.process.pid()); // a long pause: no heartbeats, no progress

                b = new WriterProcess(fx, base.resolve("writer-b"), log, with(common, "roll.interval.ms=1000",
                        "kafka.group.instance.id=" + group + ".writer-b"));
                b.progress.await("writer B to take over and land the frozen writer's events", Duration.ofSeconds(120),
                        p -> fx.landedCount(prefs) >= 3_000);
                assertThat(b.progress.committedRecords()).as("events B committed").isGreaterThanOrEqualTo(heldByA);

                signal("CONT", a.process.pid()); // the zombie wakes up holding batches B has committed
                a.progress.await("writer A to learn it lost the partitions or the commit race", Duration.ofSeconds(60),
                        p -> p.count("FENCED " + topic) + p.count("LOST " + topic) + p.count("REVOKED " + topic) >= 1);

                PipelineFixture.sendAll(producer, events, 2_000, produced);
                a.process.destroy(); // graceful: A hands back whatever it owns now
                assertThat(a.process.waitFor()).isIn(0, 143);
                b.progress.await("writer B to own everything and land the rest", Duration.ofSeconds(120),
                        p -> fx.landedCount(prefs) >= produced.size());
                b.process.destroy();
                assertThat(b.process.waitFor()).isIn(0, 143);
            } finally {
                a.process.destroyForcibly();
                if (b != null) {
                    b.process.destroyForcibly();
                }
            }
            System.out.println("zombie test, writer A: " + a.progress.lines().stream()
                    .filter(l -> l.contains(" FENCED ") || l.contains(" LOST ") || l.contains(" REVOKED ")).toList());
        }
        fx.assertLandedExactlyOnce(prefs, produced);
    }

    private static List<String> with(List<String> settings, String... extra) {
        List<String> all = new ArrayList<>(settings);
        all.addAll(List.of(extra));
        return all;
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal + " " + pid).isZero();
    }
}
