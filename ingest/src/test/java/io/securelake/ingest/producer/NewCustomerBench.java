package io.securelake.ingest.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.CipherStats;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.core.InMemoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.SchemaCatalog;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The producer's work per event (as {@link EventEncoderBench}) for a customer never seen before vs a known one, in
 * the same run: a new customer's key is made (random, sealed under the dataset's wrapping key) and stored in the
 * DEK repository before its first use. {@code repository}: {@code memory} (the key work alone) or {@code directory}
 * (the local stack's durable directory: each new key forced to disk). Prints the KEK provider calls made while
 * measuring. Run as described in docs/BENCHMARKS.md ("Keys: new vs known customers").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class NewCustomerBench {

    private static final int EVENTS = 1 << 14;
    private static final int KNOWN = 1_000;

    @Param({"known", "new"})
    public String customer;

    @Param({"memory", "directory"})
    public String repository;

    private final ObjectMapper json = EventEncoder.JSON;
    private Path keyDir;
    private HadoopKekProvider provider;
    private DekRepository deks;
    private FieldCipher cipher;
    private EventEncoder encoder;
    private String[] lines;
    private long next;
    private long kmsCallsBefore;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path schemas = Path.of(System.getProperty("securelake.schemas.dir", "../envs/schemas"));
        DatasetSchema schema = SchemaCatalog.load(schemas).dataset("payments").latest();
        keyDir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "target")).toAbsolutePath(), "keys-bench");
        provider = HadoopKekProvider.open(URI.create("jceks://file" + keyDir.resolve("keks.jceks")), Map.of());
        provider.createKek("bench.payments");
        deks = "directory".equals(repository) ? FieldEncryption.directoryRepository(keyDir.resolve("deks"))
                : new InMemoryDekRepository();
        cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("bench"), provider, deks);
        encoder = new EventEncoder(schema, "bench", FieldEncryption.recordCipher(cipher));
        EventGenerator generator = EventGenerator.of("payments", 42, KNOWN, Instant.parse("2026-12-01T00:00:00Z"),
                Duration.ofHours(6));
        lines = new String[EVENTS];
        for (int i = 0; i < EVENTS; i++) {
            lines[i] = generator.next().toString();
        }
        // The known customers' keys exist and are cached; the dataset's keys (deterministic, wrapping) too.
        for (int i = 0; i < KNOWN * 4; i++) {
            encode(i, "KNOWN-" + (i % KNOWN));
        }
        kmsCallsBefore = cipher.stats().kmsCalls();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        CipherStats stats = cipher.stats();
        System.out.printf("%n%s customers, %s repository: %,d fields encrypted, %d KEK provider calls while measuring%n",
                customer, repository, stats.fieldsEncrypted(), stats.kmsCalls() - kmsCallsBefore);
        cipher.close();
        deks.close();
        provider.close();
        try (var files = Files.walk(keyDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private EventEncoder.Encoded encode(long i, String account) throws Exception {
        ObjectNode event = (ObjectNode) json.readTree(lines[(int) (i & (EVENTS - 1))]);
        event.put("account_id", account);
        return encoder.encode(event);
    }

    /** One event: of a customer seen {@code customer} = known (key cached) or new (key made and stored). */
    @Benchmark
    public EventEncoder.Encoded encodeEvent() throws Exception {
        long i = next++;
        return encode(i, "new".equals(customer) ? "NEW-" + i : "KNOWN-" + (i % KNOWN));
    }
}
