package io.securelake.policies.bench;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The audit trail's own cost per record, without any authorizer, on Kafka-like decision records (as
 * PolicyStore builds them, ~520-byte lines). Only public API, so the same bench runs against an older
 * audit jar for before/after numbers. Run by hand (docs/BENCHMARKS.md); never part of mvn test.
 * <ul>
 * <li>{@code append}: {@link JsonLinesAuditSink#write} of 4096 records into its buffer (render, chain
 * hash); the flush that follows each batch is outside the measurement. CPU of the writer per record.</li>
 * <li>{@code appendWriteFsync}: the same plus {@code flush()} (one write and one fsync per 4096 records),
 * i.e. what a single-threaded writer does per batch, disk included.</li>
 * <li>{@code batchingPipeline}: one thread writing into {@link BatchingAuditSink} in front of the trail,
 * as the authorizers run it. The caller only queues, so a saturated loop measures the rate the whole
 * pipeline sustains (the queue stays full and back-pressure paces the caller).</li>
 * </ul>
 */
public class AuditWriterBench {

    private static final int BATCH = 4096;

    static AuditRecord[] records() {
        AuditRecord[] records = new AuditRecord[BATCH];
        java.util.Random r = new java.util.Random(7);
        Instant t0 = Instant.now();
        for (int i = 0; i < records.length; i++) {
            boolean allowed = i % 4 != 3;
            int topic = r.nextInt(1000);
            String policy = allowed ? (topic + 1) + ":bench-" + topic : null;
            records[i] = new AuditRecord(t0.plusNanos(i * 1_234_567L), "dev", "kafka", "dev_kafka",
                    allowed ? "svc-ingest-dev" : "mallory", allowed ? List.of("ingest", "svc") : List.of(),
                    "127.0.0.1", "topic=dev.bench." + topic, "publish",
                    allowed ? AuditRecord.Result.ALLOWED : AuditRecord.Result.DENIED, policy,
                    allowed ? "allowed by policy " + policy
                            : "no policy of dev_kafka grants publish on topic=dev.bench." + topic + " (denied by default)",
                    "produce:" + i);
        }
        return records;
    }

    static void delete(Path tmp) throws Exception {
        try (var walk = Files.walk(tmp)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @State(Scope.Thread)
    public static class Trail {
        JsonLinesAuditSink sink;
        Path tmp;
        AuditRecord[] records;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            tmp = Files.createTempDirectory("audit-writer-bench");
            sink = new JsonLinesAuditSink(tmp.resolve("audit"));
            records = records();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            sink.close();
            delete(tmp);
        }
    }

    /** The same trail, flushed after each invocation outside the measured window (an invocation is ~1 ms). */
    @State(Scope.Thread)
    public static class BufferedTrail extends Trail {
        @TearDown(Level.Invocation)
        public void flush() {
            sink.flush();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void append(BufferedTrail t) {
        for (AuditRecord record : t.records) {
            t.sink.write(record);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void appendWriteFsync(Trail t) {
        for (AuditRecord record : t.records) {
            t.sink.write(record);
        }
        t.sink.flush();
    }

    @State(Scope.Thread)
    public static class Pipeline {
        BatchingAuditSink sink;
        Path tmp;
        AuditRecord[] records;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            tmp = Files.createTempDirectory("audit-pipeline-bench");
            // As RangerKafkaAuthorizer builds it.
            sink = new BatchingAuditSink(new JsonLinesAuditSink(tmp.resolve("audit")), 65_536,
                    Duration.ofMillis(200), Duration.ofSeconds(60));
            records = records();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            sink.close();
            delete(tmp);
        }
    }

    @Benchmark
    public void batchingPipeline(Pipeline p) {
        p.sink.write(p.records[p.next++ & (BATCH - 1)]);
    }
}
