package io.securelake.operations.keys;

import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.LocalWrap;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.operations.keys.RegistryReplay.Name;
import io.securelake.operations.keys.RegistryReplay.Ref;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The key registry at scale, without Kafka's transport: {@code customers} customers (10 million by default) get their
 * keys from the real field cipher, each stored through the registry's own records, replay and on-disk index
 * ({@link RegistryReplay} over {@link RocksRegistryStore}). Then, side by side in the same run, prints one table:
 * <ul>
 *   <li>a new customer's field encrypted vs a known one's, per second (one thread; Kafka's round trip excluded);</li>
 *   <li>registry size: the records on Kafka and the index on disk, per customer;</li>
 *   <li>how fast a new process replays the registry into a fresh index;</li>
 *   <li>lookup latency p50/p99: a customer the process has not seen (cold: index, unseal, derive) and seen (warm:
 *       the cipher's cache), and the index lookup alone, cold and warm;</li>
 *   <li>heap per key in the cipher's cache.</li>
 * </ul>
 *
 * <pre>mvn -q -o -pl operations test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ops.cp
 * java -Xmx4g -cp operations/target/test-classes:operations/target/classes:$(cat /tmp/ops.cp) \
 *     io.securelake.operations.keys.RegistryScaleBench [customers]</pre>
 */
public final class RegistryScaleBench {

    private static final String KEYS = "bench.keys.deks";
    private static final String CHANGES = "bench.keys.changes";
    private static final String KEK = "bench.payments";
    private static final EncryptionContext EMAIL = new EncryptionContext("bench", "payments", "email");
    private static final int SAMPLE = 100_000;
    private static final int BATCH = 500; // records per commit, as a replay poll commits them

    private RegistryScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int customers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int sampleEvery = Math.max(1, customers / SAMPLE);
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "registry-bench");
        List<String> rows = new ArrayList<>();
        try (HadoopKekProvider provider = HadoopKekProvider.open(URI.create("jceks://file" + dir.resolve("keks.jceks")), Map.of())) {
            provider.createKek(KEK);
            EncryptionSettings settings = EncryptionSettings.defaults("bench").withDekCache(2 * SAMPLE, Duration.ofHours(1));
            List<byte[]> sample = new ArrayList<>();
            List<String> sampleNames = new ArrayList<>();
            long[] recordBytes = new long[1];

            // 1. New customers: each one's key made, sealed and stored through the registry's records.
            Path index = dir.resolve("index");
            double newPerSecond;
            double knownPerSecond;
            try (RocksRegistryStore store = RocksRegistryStore.open(index, LocalKeyStores.REGISTRY_INDEX_CACHE_BYTES, Duration.ZERO);
                 IndexRepository repository = new IndexRepository(new RegistryReplay(store, KEYS, CHANGES), recordBytes);
                 FieldCipher cipher = FieldEncryption.fieldCipher(settings, provider, repository)) {
                long t0 = System.nanoTime();
                for (int c = 0; c < customers; c++) {
                    byte[] ct = cipher.encrypt(("customer-" + c + "@example.com").getBytes(StandardCharsets.UTF_8), EMAIL,
                            EncryptionMode.RANDOMIZED, "customer-" + c);
                    if (c % sampleEvery == 0) {
                        sample.add(ct);
                        sampleNames.add("customer-" + c);
                    }
                    if (c > 0 && c % 1_000_000 == 0) {
                        System.out.printf("%,d customers stored, %.0f s%n", c, (System.nanoTime() - t0) / 1e9);
                    }
                }
                repository.flush();
                newPerSecond = customers / ((System.nanoTime() - t0) / 1e9);
                // Known customers, in the same cipher: their keys cached (the hot set of the last ones made).
                long t1 = System.nanoTime();
                int known = 1_000_000;
                for (int i = 0; i < known; i++) {
                    cipher.encrypt("known@example.com".getBytes(StandardCharsets.UTF_8), EMAIL, EncryptionMode.RANDOMIZED,
                            "customer-" + (customers - 1 - (i % 5_000)));
                }
                knownPerSecond = known / ((System.nanoTime() - t1) / 1e9);
            }
            rows.add(row("a new customer's field encrypted, per second (key made, sealed, its records replayed into the index;"
                    + " one thread)", fmt(newPerSecond)));
            rows.add(row("a known customer's field encrypted, per second (key cached; same thread, same run)",
                    fmt(knownPerSecond)));
            rows.add(row("new ÷ known, field encryption alone (events through Kafka: docs/BENCHMARKS.md)",
                    String.format("%.0f%%", 100 * newPerSecond / knownPerSecond)));
            rows.add(row("registry records on Kafka per customer (key + claim, before compaction)",
                    String.format("%d B (%,.1f MB per million customers)", recordBytes[0] / customers,
                            recordBytes[0] / (customers / 1e6) / 1e6)));
            long indexBytes = size(index);
            rows.add(row("index on disk", String.format("%,.0f MB, %d B per customer", indexBytes / 1e6, indexBytes / customers)));

            // 2. Lookups in a process that opens the index afresh (its caches empty; the OS page cache is not).
            try (RocksRegistryStore store = RocksRegistryStore.open(index, LocalKeyStores.REGISTRY_INDEX_CACHE_BYTES, Duration.ZERO);
                 IndexRepository repository = new IndexRepository(new RegistryReplay(store, KEYS, CHANGES), new long[1]);
                 FieldCipher cipher = FieldEncryption.fieldCipher(settings, provider, repository)) {
                RegistryReplay replay = repository.replay;
                int n = sampleNames.size();
                long[] indexCold = timed(n, i -> lookUp(replay, sampleNames.get(i)));
                long[] indexWarm = timed(n, i -> lookUp(replay, sampleNames.get(i % 1_000)));
                decrypt(cipher, sample.get(0)); // the wrapping key: one KMS unwrap, not measured
                long heapBefore = usedHeap();
                long[] cold = timed(sample.size(), i -> decrypt(cipher, sample.get(i)));
                long heapAfter = usedHeap();
                long[] warm = timed(sample.size(), i -> decrypt(cipher, sample.get(i)));
                rows.add(row("read of a customer not seen by the process (cold: index, unseal, derive) p50 / p99",
                        percentiles(cold)));
                rows.add(row("read of a customer seen (warm: the cipher's cache) p50 / p99", percentiles(warm)));
                rows.add(row("index lookup alone, cold (never read by the process) p50 / p99", percentiles(indexCold)));
                rows.add(row("index lookup alone, warm (1,000 customers read again and again) p50 / p99",
                        percentiles(indexWarm)));
                rows.add(row("heap per key in the cipher's cache", String.format("%,d B (%,d keys)",
                        (heapAfter - heapBefore) / (sample.size() - 1), sample.size() - 1)));
                rows.add(row("KMS calls for those " + String.format("%,d", sample.size()) + " customers",
                        Long.toString(cipher.stats().kmsCalls())));
                rows.add(shreds(store, replay, sampleNames));
            }

            // 3. A new process replaying the whole registry into a fresh index (records as Kafka would hand them).
            Path fresh = dir.resolve("fresh");
            long t2 = System.nanoTime();
            try (RocksRegistryStore store = RocksRegistryStore.open(fresh, LocalKeyStores.REGISTRY_INDEX_CACHE_BYTES, Duration.ZERO)) {
                RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
                SplittableRandom random = new SplittableRandom(7);
                long offset = 0;
                for (int c = 0; c < customers; c++) {
                    StoredDek dek = simulated(random, c);
                    replay.apply(new ConsumerRecord<>(KEYS, 0, offset++, RegistryRecords.dekKey(KEK, dek.id()),
                            RegistryRecords.JSON.writeValueAsBytes(RegistryRecords.dekRecord(dek))));
                    replay.apply(new ConsumerRecord<>(KEYS, 0, offset++, RegistryRecords.key("claim", KEK, dek.sharedName(), "n"),
                            RegistryRecords.JSON.writeValueAsBytes(IndexRepository.claim(dek))));
                    if (offset % BATCH == 0) {
                        replay.commit(Map.of(new TopicPartition(KEYS, 0), offset));
                    }
                }
                replay.commit(Map.of(new TopicPartition(KEYS, 0), offset));
            }
            double replaySeconds = (System.nanoTime() - t2) / 1e9;
            rows.add(row("a new process replays the whole registry into its index",
                    String.format("%,.0f s (%,.0f records/s); a process that resumes replays only what is new",
                            replaySeconds, 2.0 * customers / replaySeconds)));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf("%n| %,d customers | |%n|---|---|%n", customers);
        rows.forEach(System.out::println);
    }

    /**
     * Five shreds, one after the other, as the replay applies them: the commit (readers and caches see the tombstone
     * when it returns) and the eraser's work until the key's material has left the index's files.
     */
    private static String shreds(RocksRegistryStore store, RegistryReplay replay, List<String> subjects) throws Exception {
        long[] commit = new long[5];
        long[] erased = new long[5];
        for (int i = 0; i < 5; i++) {
            String subject = subjects.get(subjects.size() / 2 + i);
            DekId id = replay.claim(new Name(KEK, FieldEncryption.subjectKeyReference(KEK, subject))).orElseThrow();
            StoredDek live = replay.latest(new Ref(KEK, id)).orElseThrow();
            StoredDek tombstone = live.destroyedAt(Instant.now());
            long t = System.nanoTime();
            replay.apply(new ConsumerRecord<>(CHANGES, 0, i, RegistryRecords.key("change", KEK, id.hex(), "2", "n" + i),
                    RegistryRecords.JSON.writeValueAsBytes(RegistryRecords.dekJson(tombstone).put("type", "change")
                            .put("nonce", "n" + i))));
            replay.commit(Map.of());
            commit[i] = System.nanoTime() - t;
            store.awaitForgotten();
            erased[i] = System.nanoTime() - t;
            if (!replay.latest(new Ref(KEK, id)).orElseThrow().destroyed()) {
                throw new IllegalStateException("not shredded: " + subject);
            }
        }
        return row("a shred in the index: committed (caches told) / its material out of the index's files, 5 in a row",
                Arrays.stream(commit).mapToObj(n -> String.format("%.1f ms", n / 1e6)).toList() + " / "
                        + Arrays.stream(erased).mapToObj(n -> String.format("%.1f s", n / 1e9)).toList());
    }

    /** The nanoseconds each of {@code n} calls of {@code op} took. */
    private static long[] timed(int n, java.util.function.IntConsumer op) {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            op.accept(i);
            nanos[i] = System.nanoTime() - t;
        }
        return nanos;
    }

    private static void lookUp(RegistryReplay replay, String subject) {
        DekId id = replay.claim(new Name(KEK, FieldEncryption.subjectKeyReference(KEK, subject))).orElseThrow();
        replay.latest(new Ref(KEK, id)).orElseThrow();
    }

    private static void decrypt(FieldCipher cipher, byte[] ciphertext) {
        if (cipher.decrypt(ciphertext, EMAIL).length == 0) {
            throw new IllegalStateException("empty");
        }
    }

    /** A subject key the size of a real one, with random material: what a replay reads, not what a cipher opens. */
    private static StoredDek simulated(SplittableRandom random, int c) {
        byte[] nonce = new byte[12];
        byte[] sealed = new byte[48];
        byte[] check = new byte[8];
        random.nextBytes(nonce);
        random.nextBytes(sealed);
        random.nextBytes(check);
        return StoredDek.sealedLocally(KEK, new DekId(random.nextLong()),
                FieldEncryption.subjectKeyReference(KEK, "customer-" + c), new LocalWrap(new DekId(1), nonce, sealed),
                check, 0, Instant.parse("2026-12-07T00:00:00Z"));
    }

    private static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("%.1f µs / %.1f µs", sorted[sorted.length / 2] / 1e3, sorted[sorted.length * 99 / 100] / 1e3);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static long size(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String fmt(double perSecond) {
        return String.format("%,.0f", perSecond);
    }

    private static String row(String what, String value) {
        return "| " + what + " | " + value + " |";
    }

    /**
     * The registry's records and replay without the topics: a stored key goes through the same records a writer
     * sends and the same replay every reader runs, committed in batches as a replay poll commits them.
     */
    static final class IndexRepository implements DekRepository {
        final RegistryReplay replay;
        private final long[] recordBytes;
        private long offset;

        IndexRepository(RegistryReplay replay, long[] recordBytes) {
            this.replay = replay;
            this.recordBytes = recordBytes;
        }

        static com.fasterxml.jackson.databind.node.ObjectNode claim(StoredDek dek) {
            return RegistryRecords.JSON.createObjectNode().put("type", "claim").put("kek", dek.kekName())
                    .put("shared_name", dek.sharedName()).put("id", dek.id().hex());
        }

        private void append(byte[] key, com.fasterxml.jackson.databind.JsonNode value) {
            try {
                byte[] bytes = RegistryRecords.JSON.writeValueAsBytes(value);
                recordBytes[0] += key.length + bytes.length;
                replay.apply(new ConsumerRecord<>(KEYS, 0, offset++, key, bytes));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (offset % BATCH == 0) {
                flush();
            }
        }

        void flush() {
            replay.commit(Map.of(new TopicPartition(KEYS, 0), offset));
        }

        @Override
        public Optional<StoredDek> find(String kekName, DekId id) {
            return replay.latest(new Ref(kekName, id));
        }

        @Override
        public void insert(StoredDek dek) {
            append(RegistryRecords.dekKey(dek.kekName(), dek.id()), RegistryRecords.dekRecord(dek));
            flush();
        }

        @Override
        public Optional<StoredDek> findShared(String kekName, String sharedName) {
            return replay.claim(new Name(kekName, sharedName)).flatMap(id -> find(kekName, id));
        }

        @Override
        public StoredDek insertShared(StoredDek dek) {
            // The cipher holds the key it made; readers see it once the batch is committed, as with the topics.
            append(RegistryRecords.dekKey(dek.kekName(), dek.id()), RegistryRecords.dekRecord(dek));
            append(RegistryRecords.key("claim", dek.kekName(), dek.sharedName(), "n"), claim(dek));
            return dek;
        }

        @Override
        public boolean compareAndSet(StoredDek expected, StoredDek replacement) {
            throw new UnsupportedOperationException("not measured");
        }

        @Override
        public java.util.List<StoredDek> list(String kekName) {
            return replay.list(kekName);
        }

        @Override
        public void close() {
            flush();
        }
    }
}
