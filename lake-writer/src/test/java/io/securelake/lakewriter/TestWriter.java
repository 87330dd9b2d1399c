package io.securelake.lakewriter;

import io.securelake.contracts.status.ServiceState;
import io.securelake.envs.Environment;
import io.securelake.lakewriter.internals.CommitHook;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link LakeWriter} driven turn by turn on the test's thread, over a {@link MiniHdfs} and a {@link LogConsumer}:
 * no thread, no sleep, no wall-clock time. Its clock advances by one status interval per turn (so its status is
 * fresh after every turn) and never reaches the roll interval unless {@link #catchUp()} moves it there: batches
 * commit when full, when the test hands partitions over, or at the end.
 */
final class TestWriter {

    static final Duration STATUS_INTERVAL = Duration.ofMillis(100);
    static final Duration ROLL_INTERVAL = Duration.ofHours(1);
    /** Far more turns than any test needs (each turn reads up to {@code maxPerPoll} events of each partition). */
    private static final int MAX_TURNS = 2_000;

    /** What a test's hook throws to stand for the writer's process dying at that point. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(String message) {
            super(message);
        }
    }

    final String id;
    final LogConsumer consumer;
    private final TopicLog log;
    private final LakeWriter writer;
    private final List<WriterEvent> events = new ArrayList<>();
    private final List<DistributedFileSystem> clients = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    /**
     * @param settings   on top of the tests' defaults (roll at 2 KiB, two manifests retained)
     * @param maxPerPoll records each poll hands out per partition
     */
    TestWriter(String id, MiniHdfs hdfs, Environment env, TopicLog log, Path stateDir, CommitHook hook, int maxPerPoll,
               Map<String, String> settings) {
        this.id = id;
        this.log = log;
        this.consumer = new LogConsumer(log, maxPerPoll);
        Map<String, String> props = new HashMap<>();
        props.put(LakeWriterConfig.ENVIRONMENT, env.name());
        // Never contacted: the clients below replace Kafka and the Kerberized HDFS.
        props.put(LakeWriterConfig.BOOTSTRAP_SERVERS, "unused:9092");
        props.put(LakeWriterConfig.SSL_CA_PEM, "/unused/ca.pem");
        props.put(LakeWriterConfig.PRINCIPAL, "svc-lakewriter-dev@DEV.SECURELAKE.LOCAL");
        props.put(LakeWriterConfig.KEYTAB, "/unused/lake-writer.keytab");
        props.put(LakeWriterConfig.NAMENODE, hdfs.uri());
        props.put(LakeWriterConfig.NAMENODE_PRINCIPAL, "hdfs/_HOST@DEV.SECURELAKE.LOCAL");
        props.put(LakeWriterConfig.SCHEMAS_DIR, System.getProperty("securelake.schemas.dir"));
        props.put(LakeWriterConfig.STATE_DIR, stateDir.resolve(id).toString());
        props.put(LakeWriterConfig.WRITER_ID, id);
        props.put(LakeWriterConfig.ROLL_MAX_BYTES, "2048");
        props.put(LakeWriterConfig.ROLL_INTERVAL_MS, Long.toString(ROLL_INTERVAL.toMillis()));
        props.put(LakeWriterConfig.STATUS_INTERVAL_MS, Long.toString(STATUS_INTERVAL.toMillis()));
        props.put(LakeWriterConfig.POLL_TIMEOUT_MS, "10");
        props.put(LakeWriterConfig.MANIFESTS_RETAINED, "2");
        props.putAll(settings);
        WriterClients clients = new WriterClients() {
            @Override
            public void runAs(Loop loop) throws IOException {
                loop.run();
            }

            @Override
            public void renewLogin() {
                // no login to renew: the mini cluster is not Kerberized
            }

            @Override
            public FileSystem newFileSystem() throws IOException {
                DistributedFileSystem fs = hdfs.newClient();
                TestWriter.this.clients.add(fs);
                return fs;
            }

            @Override
            public Consumer<byte[], byte[]> newConsumer() {
                return consumer;
            }
        };
        this.writer = LakeWriter.create(LakeWriterConfig.from(props), env, clients, events::add, hook, clock::get);
    }

    /** Opens the clients and subscribes; the partitions come with the next turn's poll ({@link #assign}). */
    TestWriter begin() throws IOException {
        writer.begin();
        return this;
    }

    /** The group gives this writer exactly {@code partitions} at its next poll. */
    TestWriter assign(Collection<TopicPartition> partitions) {
        consumer.assignOnNextPoll(partitions);
        return this;
    }

    void turn() {
        writer.turn();
        clock.addAndGet(STATUS_INTERVAL.toNanos());
    }

    /** Turns until {@code condition} holds (checked before each turn); fails, with the events so far, if it never does. */
    void turnUntil(String what, Predicate<TestWriter> condition) {
        for (int i = 0; i < MAX_TURNS; i++) {
            if (condition.test(this)) {
                return;
            }
            turn();
        }
        throw new AssertionError(id + ": no " + what + " after " + MAX_TURNS + " turns; events: " + events);
    }

    /** Turns until the writer has read every published record of its partitions and committed them all. */
    void catchUp() {
        turnUntil("commit of everything published", TestWriter::caughtUpOrDue);
    }

    /**
     * Whether everything published is committed; if not, and everything is read, moves the clock a roll interval on so
     * that the next turn commits the tails. For tests that interleave the turns of several writers.
     */
    boolean caughtUpOrDue() {
        if (committedThroughEnd()) {
            return true;
        }
        if (readEverything()) {
            // Nothing more to read: the tails are committed once due, which takes a roll interval.
            clock.addAndGet(ROLL_INTERVAL.toNanos());
        }
        return false;
    }

    /** Every assigned partition's position is at the log's published end, and the writer is not in an outage. */
    boolean readEverything() {
        return !consumer.rebalancePending() && status().state() == ServiceState.RUNNING && consumer.paused().isEmpty()
                && consumer.assignment().stream().allMatch(tp -> consumer.position(tp) >= log.end(tp));
    }

    /** The status says every assigned partition's committed chain ends at the log's end, with nothing open. */
    boolean committedThroughEnd() {
        WriterStatus s = status();
        return !consumer.rebalancePending() && s.state() == ServiceState.RUNNING && s.partitions().size() == consumer.assignment().size()
                && s.partitions().stream().allMatch(p -> p.openBatchEvents() == 0
                && p.nextOffset() == log.end(new TopicPartition(p.topic(), p.partition())));
    }

    /** Graceful stop: open batches committed, clients closed. */
    void finish() {
        writer.finish();
    }

    /**
     * Stops the writer as SIGKILL would: its HDFS clients abort their open files (they stay under construction, their
     * leases held) and nothing else of it runs again.
     */
    void kill() throws IOException {
        for (DistributedFileSystem fs : clients) {
            fs.getClient().closeAllFilesBeingWritten(true);
            fs.close();
        }
    }

    WriterStatus status() {
        return writer.status();
    }

    /** The first offset not committed of a partition, as the writer's status shows it (-1: none, or not held). */
    long next(TopicPartition tp) {
        return status().partitions().stream().filter(p -> p.topic().equals(tp.topic()) && p.partition() == tp.partition())
                .mapToLong(WriterStatus.PartitionStatus::nextOffset).findFirst().orElse(-1);
    }

    long openBatchEvents(TopicPartition tp) {
        return status().partitions().stream().filter(p -> p.topic().equals(tp.topic()) && p.partition() == tp.partition())
                .mapToLong(WriterStatus.PartitionStatus::openBatchEvents).findFirst().orElse(0);
    }

    List<WriterEvent> events() {
        return List.copyOf(events);
    }

    <T extends WriterEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
