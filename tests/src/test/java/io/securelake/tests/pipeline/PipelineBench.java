package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.ServiceRole;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestConfig;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.SecureProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end throughput, producer to committed HDFS files, with and without field encryption, in the same
 * run against the same stack and writer process. Not part of the test suite (the name does not end in
 * Test); run with {@code mvn -pl tests test -Dtest=PipelineBench -Dbench.events=300000}.
 */
class PipelineBench {
    static final int EVENTS = Integer.getInteger("bench.events", 300_000);

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

    record Result(String name, double seconds, double producerSeconds, long jsonBytes, long valueBytes,
                  Map<String, Long> cpuNanos) {
        double eventsPerSecond() {
            return EVENTS / seconds;
        }
    }

    @Test
    void endToEndWithAndWithoutEncryption() throws Exception {
        Path state = base.resolve("writer-state");
        WriterProcess writer = new WriterProcess(fx, state, base.resolve("writer.log"),
                List.of("roll.interval.ms=1000", "roll.max.bytes=67108864", "status.interval.ms=100", "max.open.files=16"));
        String topic = fx.env.names().rawTopic(fx.env.dataset("payments").orElseThrow());
        // Long-lived producers, as applications run them: subject DEKs are unwrapped once per process.
        // -Dbench.compression=none|lz4|zstd|…: the producers' Kafka compression (default: the product's, lz4).
        IngestConfig.ProducerTuning defaults = IngestConfig.ProducerTuning.defaults();
        IngestConfig.ProducerTuning tuning = defaults.withCompression(System.getProperty("bench.compression",
                defaults.compression()));
        String ingest = fx.principal(ServiceRole.INGEST);
        try (SecureProducer encrypting = SecureProducer.open(fx.ingestConfig("payments", ingest, true, tuning), fx.env, null);
             SecureProducer clear = SecureProducer.open(fx.ingestConfig("payments", ingest, false, tuning), fx.env, null)) {
            // Warm-up: JIT, connections, the customers' DEKs; then wait until the writer is idle.
            run(encrypting, 5, 20_000, writer, state, topic, "warm-up (creates 1,000 subject DEKs)");
            run(clear, 6, 20_000, writer, state, topic, "warm-up clear");
            // The first warm-up runs mostly the key-creating path: a second one lets the JIT settle on the steady
            // state (without it the first measured round with encryption was 30% slower than the next).
            int warm = Integer.getInteger("bench.warmup", 100_000);
            run(encrypting, 7, warm, writer, state, topic, "warm-up 2");
            run(clear, 8, warm, writer, state, topic, "warm-up 2 clear");
            List<Result> results = new ArrayList<>();
            for (int round = 0; round < Integer.getInteger("bench.rounds", 2); round++) {
                results.add(run(encrypting, 5, EVENTS, writer, state, topic, "encryption on"));
                results.add(run(clear, 6, EVENTS, writer, state, topic, "encryption off"));
            }
            long rssKb = peakRssKb(writer.process.pid());
            StringBuilder table = new StringBuilder("\n| run | events | end-to-end s | events/s | producer s | avg JSON B | avg value B |\n|---|---|---|---|---|---|---|\n");
            for (Result r : results) {
                table.append(String.format("| %s | %,d | %.2f | %,.0f | %.2f | %d | %d |%n", r.name(), EVENTS, r.seconds(),
                        r.eventsPerSecond(), r.producerSeconds(), r.jsonBytes() / EVENTS, r.valueBytes() / EVENTS));
            }
            table.append(String.format("writer peak RSS (VmHWM): %,d KiB; writer heap limit -Xmx384m%n", rssKb));
            table.append("\nCPU µs per event, from first send to lag 0 (this JVM's threads by part; writer = its process)\n\n| run |");
            for (String part : CpuAccount.PARTS) {
                table.append(' ').append(part).append(" |");
            }
            table.append(" total | cores busy |\n|---|").append("---|".repeat(CpuAccount.PARTS.length + 2)).append('\n');
            for (Result r : results) {
                table.append("| ").append(r.name()).append(" |");
                long total = 0;
                for (long n : r.cpuNanos().values()) {
                    table.append(String.format(" %.1f |", n / 1e3 / EVENTS));
                    total += n;
                }
                table.append(String.format(" %.1f | %.2f |%n", total / 1e3 / EVENTS, total / 1e9 / r.seconds()));
            }
            System.out.println("BENCH" + table);
            Files.writeString(Path.of(System.getProperty("bench.out", base.resolve("bench.md").toString())), table.toString());
            assertThat(results).allMatch(r -> r.seconds() > 0);
        } finally {
            writer.process.destroy();
            writer.process.waitFor();
            // -Dbench.writer.out=<dir>: keep the writer's progress lines and log (the temporary directory goes)
            String keep = System.getProperty("bench.writer.out");
            if (keep != null) {
                Files.createDirectories(Path.of(keep));
                Files.write(Path.of(keep, "writer-progress.txt"), writer.progress.lines());
                Files.copy(base.resolve("writer.log"), Path.of(keep, "writer.log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private Result run(SecureProducer p, long seed, int events, WriterProcess writer, Path state,
                       String topic, String name) throws Exception {
        EventGenerator gen = EventGenerator.of("payments", seed, 1_000, Instant.parse("2026-11-25T10:00:00Z"),
                Duration.ofMinutes(50));
        // Events are generated before the clock starts: the generator is not part of the pipeline. They are kept
        // as JSON lines and parsed by the producer, as `securelake ingest --file` does: hundreds of thousands
        // of parsed trees held for the whole run made every young collection copy them (pauses up to 0.9 s).
        List<String> batch = new ArrayList<>(events);
        long jsonBytes = 0;
        for (int i = 0; i < events; i++) {
            String e = gen.next().toString();
            jsonBytes += e.getBytes(StandardCharsets.UTF_8).length;
            batch.add(e);
        }
        long before;
        long start;
        double producerSeconds;
        long valueBytes;
        CpuAccount cpu = new CpuAccount(writer.process.pid());
        CpuAccount.Snapshot cpuBefore;
        {
            long acceptedBefore = p.stats().accepted();
            long bytesBefore = p.stats().bytes();
            before = WriterStatusFile.in(state).eventsCommitted();
            cpuBefore = cpu.snapshot();
            start = System.nanoTime();
            // -Dbench.producer.threads=N: the application sends from N threads into the one (thread-safe) producer.
            int threads = Integer.getInteger("bench.producer.threads", 1);
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<String> slice = batch.subList(t * events / threads, (t + 1) * events / threads);
                senders.add(CompletableFuture.runAsync(() -> {
                    CompletableFuture<IngestResult> last = null;
                    for (String e : slice) {
                        last = p.sendJson(e);
                    }
                    if (last != null) {
                        last.join();
                    }
                    cpu.addSender();
                }, runnable -> new Thread(runnable, "bench-sender").start()));
            }
            senders.forEach(CompletableFuture::join);
            p.flush();
            producerSeconds = (System.nanoTime() - start) / 1e9;
            valueBytes = p.stats().bytes() - bytesBefore;
            assertThat(p.stats().accepted() - acceptedBefore).isEqualTo(events);
        }
        batch.clear();
        long target = before + events;
        writer.progress.await(name + " committed", Duration.ofSeconds(300),
                x -> WriterStatusFile.in(state).eventsCommitted() >= target && WriterStatusFile.in(state).caughtUp(topic));
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuAccount.Snapshot cpuAfter = cpu.snapshot();
        Map<String, Long> cpuNanos = CpuAccount.between(cpuBefore, cpuAfter);
        System.out.printf("BENCH %s: collector pauses and cycles %d ms in this JVM%n", name,
                cpuAfter.gcMillis() - cpuBefore.gcMillis());
        if (Boolean.getBoolean("bench.cpu.threads")) {
            System.out.print("BENCH busiest threads, " + name + ":\n"
                    + CpuAccount.busiest(cpuBefore, cpuAfter, cpu.threadNames(), 25));
        }
        System.out.printf("BENCH %s: %,d events in %.2f s end to end (%,.0f/s), producer %.2f s%n", name, events, seconds,
                events / seconds, producerSeconds);
        return new Result(name, seconds, producerSeconds, jsonBytes, valueBytes, cpuNanos);
    }

    static long peakRssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
