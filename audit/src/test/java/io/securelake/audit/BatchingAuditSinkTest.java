package io.securelake.audit;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingAuditSinkTest {
    @TempDir
    Path dir;

    private static final JsonLinesAuditSink.Force REAL_FORCE = JsonLinesAuditSink.FDATASYNC;
    private static final JsonLinesAuditSink.Write REAL_WRITE = JsonLinesAuditSink.WRITE_ALL;

    /** A trail on the real disk except for {@code write} and {@code force}, which a test makes fail or counts. */
    private static JsonLinesAuditSink trail(Path dir, java.time.Clock clock, JsonLinesAuditSink.Write write,
                                            JsonLinesAuditSink.Force force) {
        return new JsonLinesAuditSink(dir, clock, write, force);
    }

    /**
     * Waits until the trail's I/O thread has made one more call of the kind {@code calls} counts: so that the
     * records go in several batches, each with more written behind it, whatever the machine's speed.
     */
    private static void awaitIo(Semaphore calls) throws InterruptedException {
        assertThat(calls.tryAcquire(30, TimeUnit.SECONDS)).as("the trail's I/O thread made progress").isTrue();
    }

    private static AuditRecord record(int thread, int i) {
        String s = CanonicalJsonTest.HOSTILE.get((thread + i) % CanonicalJsonTest.HOSTILE.size());
        return new AuditRecord(Instant.parse("2026-11-25T10:00:00Z").plusNanos(i * 1_000L + thread), "dev", "kafka",
                "dev_kafka", "user-" + thread + s, List.of("g" + thread, s), i % 3 == 0 ? null : "10.0.0." + thread,
                "topic=dev.raw." + s, "publish", i % 4 == 3 ? DENIED : ALLOWED, i % 4 == 3 ? null : "7:p " + s,
                "reason " + s, "t" + thread + "-" + i);
    }

    /** Every record of every thread is in the trail exactly once, each thread's in its order, chain intact. */
    private static void assertCompleteAndChained(Path trail, int threads, int perThread) throws Exception {
        List<AuditRecord> found = AuditSearch.in(trail).find(AuditQuery.all());
        assertThat(found).hasSize(threads * perThread);
        Map<Integer, Integer> next = new HashMap<>();
        for (AuditRecord r : found) {
            String[] id = r.requestId().substring(1).split("-");
            int t = Integer.parseInt(id[0]);
            int i = Integer.parseInt(id[1]);
            assertThat(i).as("order of thread %d", t).isEqualTo(next.getOrDefault(t, 0));
            next.put(t, i + 1);
            // Compared as written: an unpaired surrogate becomes '?' in UTF-8, as it always did.
            assertThat(CanonicalJson.toBytes(r)).isEqualTo(CanonicalJson.toBytes(record(t, i)));
        }
        AuditVerifier.Verification v = AuditVerifier.verify(trail);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.lines()).isEqualTo((long) threads * perThread);
        // Records rendered by callers and by the writer make the same lines the old Jackson writer made.
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        String prev = HashChain.GENESIS;
        long seq = 0;
        for (AuditRecord r : found) {
            LegacyLines.Line line = LegacyLines.line(prev, ++seq, r);
            expected.write(line.bytes());
            prev = line.hash();
        }
        try (var files = Files.list(trail)) {
            Path file = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow();
            assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void concurrentWritersLoseNothingAndKeepTheChain() throws Exception {
        int threads = 8;
        int perThread = 5_000;
        Path trail = dir.resolve("trail");
        // A small queue: writers are blocked (back-pressure) and the writer falls behind, so callers render too.
        try (BatchingAuditSink sink = new BatchingAuditSink(new JsonLinesAuditSink(trail), 64,
                Duration.ofMillis(20), Duration.ofSeconds(60))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        sink.write(record(thread, i));
                        if (i % 997 == 0) {
                            sink.flush();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            // Both paths ran: records the writer rendered and records callers rendered while it was behind.
            assertThat(sink.renderedByCallers()).isPositive().isLessThan((long) threads * perThread);
        }
        assertCompleteAndChained(trail, threads, perThread);
    }

    @Test
    void flushReturnsOnlyWhenEverythingWrittenBeforeIsOnDisk() throws Exception {
        Path trail = dir.resolve("trail");
        AtomicInteger forces = new AtomicInteger();
        JsonLinesAuditSink.Force counting = ch -> {
            forces.incrementAndGet();
            REAL_FORCE.force(ch);
        };
        try (BatchingAuditSink sink = new BatchingAuditSink(trail(trail, java.time.Clock.systemUTC(), REAL_WRITE, counting), 1024,
                Duration.ofMillis(50), Duration.ofSeconds(30))) {
            for (int round = 1; round <= 5; round++) {
                for (int i = 0; i < 700; i++) {
                    sink.write(record(0, (round - 1) * 700 + i));
                }
                sink.flush();
                assertThat(forces.get()).isPositive();
                assertThat(AuditSearch.in(trail).find(AuditQuery.all())).hasSize(round * 700);
                assertThat(AuditVerifier.verify(trail).intact()).isTrue();
            }
        }
        assertCompleteAndChained(trail, 1, 3_500);
    }

    @Test
    void failedFsyncsAreRetriedInOrderAndNothingIsLost() throws Exception {
        Path trail = dir.resolve("trail");
        AtomicInteger calls = new AtomicInteger();
        Semaphore progress = new Semaphore(0);
        JsonLinesAuditSink.Force failing = ch -> {
            int n = calls.incrementAndGet();
            progress.release();
            if (n == 2 || n == 3 || n == 6) {
                throw new IOException("simulated EIO on fsync #" + n);
            }
            REAL_FORCE.force(ch);
        };
        int total = 6_000;
        try (BatchingAuditSink sink = new BatchingAuditSink(trail(trail, java.time.Clock.systemUTC(), REAL_WRITE, failing), 256,
                Duration.ofMillis(5), Duration.ofSeconds(60))) {
            for (int i = 0; i < total; i++) {
                sink.write(record(0, i));
                if (i % 500 == 499) {
                    awaitIo(progress); // several batches, so fsyncs fail with more written behind them
                }
            }
            sink.flush();
        }
        assertThat(calls.get()).isGreaterThan(6);
        // A record whose fsync failed is written again: it may appear twice (its first copy reached the
        // page cache), never zero times; the first copies are in order and the chain is intact.
        List<AuditRecord> found = AuditSearch.in(trail).find(AuditQuery.all());
        Set<String> seen = new HashSet<>();
        int expectedNext = 0;
        for (AuditRecord r : found) {
            if (seen.add(r.requestId())) {
                assertThat(r.requestId()).isEqualTo("t0-" + expectedNext++);
            }
        }
        assertThat(seen).hasSize(total);
        assertThat(found.size()).as("batches whose fsync failed were written again").isGreaterThan(total);
        AuditVerifier.Verification v = AuditVerifier.verify(trail);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.lines()).isEqualTo(found.size());
    }

    @Test
    void tornAndFailedWritesAreCutRetriedInOrderAndNothingIsLost() throws Exception {
        Path trail = dir.resolve("trail");
        AtomicInteger calls = new AtomicInteger();
        Semaphore progress = new Semaphore(0);
        JsonLinesAuditSink.Write tearing = (ch, bytes) -> {
            int n = calls.incrementAndGet();
            progress.release();
            if (n == 3 || n == 7) {
                // Half of the segment reaches the file, ending in a torn line, then the disk fails.
                ByteBuffer half = bytes.duplicate();
                half.limit(bytes.position() + bytes.remaining() / 2);
                REAL_WRITE.write(ch, half);
                throw new IOException("simulated EIO after a partial write #" + n);
            }
            REAL_WRITE.write(ch, bytes);
        };
        int total = 8_000;
        try (BatchingAuditSink sink = new BatchingAuditSink(trail(trail, java.time.Clock.systemUTC(), tearing, REAL_FORCE), 256,
                Duration.ofMillis(5), Duration.ofSeconds(60))) {
            for (int i = 0; i < total; i++) {
                sink.write(record(0, i));
                if (i % 500 == 499) {
                    awaitIo(progress); // several batches, so writes fail with more queued behind them
                }
            }
            sink.flush();
        }
        assertThat(calls.get()).isGreaterThan(7);
        List<AuditRecord> found = AuditSearch.in(trail).find(AuditQuery.all());
        Set<String> seen = new HashSet<>();
        int expectedNext = 0;
        for (AuditRecord r : found) {
            if (seen.add(r.requestId())) {
                assertThat(r.requestId()).isEqualTo("t0-" + expectedNext++);
            }
        }
        assertThat(seen).hasSize(total);
        AuditVerifier.Verification v = AuditVerifier.verify(trail);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.lines()).isEqualTo(found.size());
    }

    /** A clock the test moves: the trail rolls to a new day's file while records keep coming. */
    static final class MovableClock extends java.time.Clock {
        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void aDayRollWhileWritesFailLosesNothingAndKeepsOrder(int failingWrite) throws Exception {
        Path trail = dir.resolve("trail");
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T23:59:59Z"));
        AtomicInteger afterRoll = new AtomicInteger();
        Semaphore progress = new Semaphore(0);
        JsonLinesAuditSink.Write tearingAtTheRoll = (ch, bytes) -> {
            progress.release();
            // After the clock moves, one of the next writes fails, torn: the I/O thread's or the day roll's.
            if (clock.now.isAfter(Instant.parse("2026-11-25T00:00:00Z"))
                    && afterRoll.incrementAndGet() == failingWrite) {
                ByteBuffer half = bytes.duplicate();
                half.limit(bytes.position() + bytes.remaining() / 2);
                REAL_WRITE.write(ch, half);
                throw new IOException("simulated EIO at the day roll");
            }
            REAL_WRITE.write(ch, bytes);
        };
        int total = 4_000;
        try (BatchingAuditSink sink = new BatchingAuditSink(trail(trail, clock, tearingAtTheRoll, REAL_FORCE), 128,
                Duration.ofMillis(4), Duration.ofSeconds(60))) {
            for (int i = 0; i < total; i++) {
                if (i == total / 2) {
                    clock.now = Instant.parse("2026-11-25T00:00:01Z");
                }
                sink.write(record(0, i));
                if (i % 300 == 299) {
                    awaitIo(progress);
                }
            }
            sink.flush();
        }
        List<AuditRecord> found = AuditSearch.in(trail).find(AuditQuery.all());
        Set<String> seen = new HashSet<>();
        int expectedNext = 0;
        for (AuditRecord r : found) {
            if (seen.add(r.requestId())) {
                assertThat(r.requestId()).isEqualTo("t0-" + expectedNext++);
            }
        }
        assertThat(seen).hasSize(total);
        assertThat(trail.resolve("audit-2026-11-25.jsonl")).exists();
        AuditVerifier.Verification v = AuditVerifier.verify(trail);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.files()).isEqualTo(2);
        assertThat(v.lines()).isEqualTo(found.size());
    }

    @Test
    void aFullQueueBlocksTheCallerThenRefusesTheRecordWhenTheDelegateIsStuck() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch taken = new CountDownLatch(1);
        List<AuditRecord> delivered = new CopyOnWriteArrayList<>();
        AuditSink hung = new AuditSink() {
            @Override
            public void write(AuditRecord record) {
                taken.countDown();
                try {
                    stuck.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        try (BatchingAuditSink sink = new BatchingAuditSink(hung, 4, Duration.ofMillis(10), Duration.ofMillis(300))) {
            sink.write(Records.record(0, "alice", ALLOWED));
            // the writer took it and hangs in the delegate, so the next 4 fill the queue exactly
            assertThat(taken.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 4; i++) {
                sink.write(Records.record(i, "alice", ALLOWED)); // fills the queue
            }
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> sink.write(Records.record(5, "alice", ALLOWED)))
                    .isInstanceOf(AuditSinkException.class).hasMessageContaining("took no record");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThatThrownBy(sink::flush).isInstanceOf(AuditSinkException.class).hasMessageContaining("did not flush");
            stuck.countDown();
            sink.flush();
        }
        // Everything accepted arrived, in order; the refused record is the caller's to handle (a denial).
        assertThat(delivered).extracting(AuditRecord::requestId)
                .containsExactly("req-0", "req-1", "req-2", "req-3", "req-4");
    }

    @Test
    void aTrailThatCannotBeWrittenIsRetriedUntilItComesBack() throws Exception {
        Path blocker = dir.resolve("mount");
        Files.writeString(blocker, "not a directory");
        Path trail = blocker.resolve("audit");
        try (BatchingAuditSink sink = new BatchingAuditSink(new JsonLinesAuditSink(trail), 10_000,
                Duration.ofMillis(10), Duration.ofSeconds(30))) {
            for (int i = 0; i < 3_000; i++) {
                sink.write(record(0, i));
            }
            Thread.sleep(100);
            Files.delete(blocker); // the directory can be created again
            sink.flush();
        }
        assertCompleteAndChained(trail, 1, 3_000);
    }
}
