package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Dataset;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.lakewriter.LakeWriter;
import io.securelake.lakewriter.LakeWriterConfig;
import io.securelake.lakewriter.WriterClients;
import io.securelake.lakewriter.WriterEvent;
import io.securelake.lakewriter.WriterEventText;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * Every wait below is for an event (a writer line, the writer's status against Kafka's end offsets) and fails
     * fast if the writer stops; the bounds are only there to end a broken run, far above what a loaded two-core
     * machine needs.
     */
    private static final Duration BOUND = Duration.ofMinutes(5);

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
            LakeWriterConfig config = LakeWriterConfig.from(props);
            LakeWriter writer = LakeWriter.create(config, fx.env, WriterClients.kerberized(config, fx.env), event -> {
                // in the test's output, for a failure's diagnosis
                System.out.println("nn-writer: " + WriterEventText.render(event));
                progress.on(event);
            }).start();
            boolean nameNodeDown = false;
            try {
                PipelineFixture.sendAll(producer, events, 10_000, produced);
                progress.await("a first commit", BOUND, p -> p.count(WriterEvent.BatchCommitted.class) >= 1);
                // The NameNode stays down until the writer has reported the outage: a restart's few seconds can
                // pass while a starved writer makes no HDFS call at all. Events keep arriving, 1,000 at a time,
                // from the moment it is down until it is back, so the writer has batches that cannot commit: the
                // first one's roll (1 s) fails, which is the outage the writer must report.
                fx.stack.hdfs().stopNameNode();
                nameNodeDown = true;
                CompletableFuture<Void> nameNodeBack = new CompletableFuture<>();
                CompletableFuture<Void> more = CompletableFuture.runAsync(() -> {
                    do {
                        PipelineFixture.sendAll(producer, events, 1_000, produced);
                    } while (!nameNodeBack.isDone() && produced.size() < 40_000);
                    nameNodeBack.join();
                    PipelineFixture.sendAll(producer, events, 1_000, produced); // and some after the restart
                });
                try {
                    progress.await("the writer to report HDFS unavailable", BOUND, p -> p.count(WriterEvent.OutageStarted.class,
                            o -> o.cause() == WriterEvent.OutageCause.HDFS) >= 1);
                    fx.stack.hdfs().startNameNode();
                    nameNodeDown = false;
                } finally {
                    nameNodeBack.complete(null);
                }
                more.get();
                progress.await("the writer to find HDFS again and recover", BOUND, p -> p.count(WriterEvent.OutageEnded.class,
                        o -> o.cause() == WriterEvent.OutageCause.HDFS) >= 1);
                // Caught up by facts: Kafka's end offsets, read once every send is acknowledged, against where the
                // writer's committed chain ends (its own lag figure could come from a fetch before the last sends).
                Map<Integer, Long> end = fx.endOffsets(topic);
                progress.await("the writer to commit every partition through " + end, BOUND,
                        p -> WriterStatusFile.in(state).committedThrough(topic, end));
            } finally {
                writer.close();
                if (nameNodeDown) {
                    fx.stack.hdfs().startNameNode(); // a failed run must not leave the next test without HDFS
                }
            }
        }
        System.out.println("NameNode restart, writer: " + progress.events(WriterEvent.OutageStarted.class) + ", "
                + progress.events(WriterEvent.OutageEnded.class) + ", " + produced.size() + " events");
        // The writer never gave up: its one STOPPED is the close above, and it stopped for no error.
        assertThat(progress.events(WriterEvent.Stopped.class)).as("STOPPED events")
                .containsExactly(new WriterEvent.Stopped(Optional.empty()));
        fx.assertLandedExactlyOnce(payments, produced);
    }

    @Test
    void aFrozenWriterThatWakesUpAfterLosingItsPartitionsCommitsNothingTwice() throws Exception {
        Dataset prefs = fx.env.dataset("customer_preferences").orElseThrow();
        String topic = fx.env.names().rawTopic(prefs);
        String group = fx.env.names().lakeWriterConsumerGroup();
        Path log = base.resolve("zombie-writers.log");
        // A commits a batch only when it reaches 64 KiB or must make room for a file (16 open at most), never by
        // time (its roll interval, an hour, does not come in this test): once it has read every event it is idle,
        // and what it holds in open batches then is still what it holds when it is frozen; the test checks that
        // against HDFS instead of assuming it. B commits every second.
        // Sessions end after 6 s.
        List<String> common = List.of("status.interval.ms=500", "kafka.session.timeout.ms=6000");
        WriterStatusFile statusA = WriterStatusFile.in(base.resolve("writer-a"));
        WriterStatusFile statusB = WriterStatusFile.in(base.resolve("writer-b"));
        Set<String> produced = ConcurrentHashMap.newKeySet();
        EventGenerator events = EventGenerator.of("customer_preferences", 12, 300, Instant.parse("2026-11-26T06:00:00Z"),
                Duration.ofHours(30));
        try (SecureProducer producer = SecureProducer.open(fx.ingestConfig("customer_preferences",
                fx.principal(ServiceRole.INGEST), true), fx.env, null)) {
            WriterProcess a = new WriterProcess(fx, base.resolve("writer-a"), log, with(common, "roll.interval.ms=3600000",
                    "roll.max.bytes=65536", "kafka.group.instance.id=" + group + ".writer-a"));
            WriterProcess b = null;
            try {
                PipelineFixture.sendAll(producer, events, 3_000, produced);
                Map<Integer, PipelineFixture.Offsets> offsets = fx.offsets(topic);
                assertThat(offsets.values().stream().mapToLong(o -> o.end() - o.start()).sum()).as("events in Kafka")
                        .isEqualTo(3_000);
                // One status snapshot in which A has read every event of every partition: what it committed
                // (its chain's end) plus what it holds open is the partition's end offset.
                AtomicReference<WriterStatusFile.TopicFigures> atFreeze = new AtomicReference<>();
                a.progress.await("writer A to read all 3,000 events, committing full batches only", BOUND,
                        p -> statusA.figures(topic).filter(f -> f.partitions().keySet().equals(offsets.keySet())
                                && offsets.entrySet().stream().allMatch(e -> {
                                    WriterStatusFile.PartitionFigures pf = f.partitions().get(e.getKey());
                                    long committedEnd = pf.nextOffset() >= 0 ? pf.nextOffset() : e.getValue().start();
                                    return committedEnd + pf.openBatchEvents() == e.getValue().end();
                                })).map(f -> {
                                    atFreeze.set(f);
                                    return true;
                                }).orElse(false));
                signal("STOP", a.process.pid()); // a long pause: no heartbeats, no progress
                Map<Integer, WriterStatusFile.PartitionFigures> heldA = atFreeze.get().partitions();
                long heldByA = heldA.values().stream().mapToLong(WriterStatusFile.PartitionFigures::openBatchEvents).sum();
                assertThat(heldByA).as("events A holds uncommitted").isPositive();
                assertThat(heldA.values()).as("A committed full batches before it was frozen")
                        .anyMatch(pf -> pf.nextOffset() > 0);
                // What A committed is on HDFS, and it is what the snapshot said: A committed nothing after it.
                Map<Integer, Long> chainAtFreeze = new java.util.TreeMap<>();
                heldA.forEach((partition, pf) -> {
                    if (pf.nextOffset() >= 0) {
                        chainAtFreeze.put(partition, pf.nextOffset());
                    }
                });
                assertThat(fx.chainEnds(prefs)).as("committed chain on HDFS when A froze").isEqualTo(chainAtFreeze);

                b = new WriterProcess(fx, base.resolve("writer-b"), log, with(common, "roll.interval.ms=1000",
                        "kafka.group.instance.id=" + group + ".writer-b"));
                // Nothing new is produced meanwhile, so B has exactly A's open events to commit.
                b.progress.await("writer B to take over and commit the " + heldByA + " events A holds", BOUND,
                        p -> p.committedRecords(topic) >= heldByA);
                assertThat(b.progress.committedRecords(topic)).as("events B committed").isEqualTo(heldByA);
                // B's first range of each partition starts where A's committed chain ended: it took over A's batches.
                Map<Integer, Long> firstOfB = new java.util.TreeMap<>();
                b.progress.committed(topic).forEach(r -> firstOfB.putIfAbsent(r.partition().partition(), r.firstOffset()));
                Map<Integer, Long> expectedFirst = new java.util.TreeMap<>();
                heldA.forEach((partition, pf) -> {
                    if (pf.openBatchEvents() > 0) {
                        expectedFirst.put(partition, pf.nextOffset() >= 0 ? pf.nextOffset() : offsets.get(partition).start());
                    }
                });
                assertThat(firstOfB).as("first offset of B's commits per partition").isEqualTo(expectedFirst);
                // B prints a commit after its files are in place: the raw zone holds every event, once.
                fx.assertLandedExactlyOnce(prefs, produced);

                signal("CONT", a.process.pid()); // the zombie wakes up holding batches B has committed
                a.progress.await("writer A to learn it lost the partitions or the commit race", BOUND,
                        p -> p.count(WriterEvent.Fenced.class, e -> e.partition().topic().equals(topic))
                                + p.count(WriterEvent.Lost.class, e -> e.partition().topic().equals(topic))
                                + p.count(WriterEvent.Revoked.class, e -> e.partition().topic().equals(topic)) >= 1);

                PipelineFixture.sendAll(producer, events, 2_000, produced);
                Map<Integer, Long> end = fx.endOffsets(topic);
                a.process.destroy(); // graceful: A hands back whatever it owns now
                assertThat(a.process.waitFor(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("A exited").isTrue();
                assertThat(a.process.exitValue()).isIn(0, 143);
                b.progress.await("writer B to own every partition and commit through " + end, BOUND,
                        p -> statusB.committedThrough(topic, end));
                b.process.destroy();
                assertThat(b.process.waitFor(BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("B exited").isTrue();
                assertThat(b.process.exitValue()).isIn(0, 143);
            } finally {
                a.process.destroyForcibly();
                if (b != null) {
                    b.process.destroyForcibly();
                }
            }
            System.out.println("zombie test, writer A: " + a.progress.events(WriterEvent.class).stream()
                    .filter(e -> e instanceof WriterEvent.Fenced || e instanceof WriterEvent.Lost
                            || e instanceof WriterEvent.Revoked).toList());
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
