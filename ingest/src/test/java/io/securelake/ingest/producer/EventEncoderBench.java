package io.securelake.ingest.producer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The producer's work per event without Kafka: JSON line parsed, validated, classified fields encrypted
 * under the customer's subject key, Avro-encoded. {@code customers} is the population the events come
 * from: with few customers their keys stay cached; with many, most events meet a key not seen recently.
 * Run as described in docs/BENCHMARKS.md ("Producer alone").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EventEncoderBench {

    private static final int EVENTS = 1 << 14;

    @Param({"on", "off"})
    public String encryption;

    @Param({"1000"})
    public int customers;

    private final ObjectMapper json = EventEncoder.JSON; // as SecureProducer.sendJson parses
    private Path keyDir;
    private HadoopKekProvider provider;
    private FieldCipher cipher;
    private EventEncoder encoder;
    private String[] lines;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path schemas = Path.of(System.getProperty("securelake.schemas.dir", "../envs/schemas"));
        DatasetSchema schema = SchemaCatalog.load(schemas).dataset("payments").latest();
        if ("on".equals(encryption)) {
            keyDir = Files.createTempDirectory("securelake-bench");
            provider = HadoopKekProvider.open(URI.create("jceks://file" + keyDir.resolve("keks.jceks")), Map.of());
            provider.createKek("bench.payments");
            cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("bench"), provider,
                    new InMemoryDekRepository());
        }
        encoder = new EventEncoder(schema, "bench", cipher == null ? null : FieldEncryption.recordCipher(cipher));
        EventGenerator generator = EventGenerator.of("payments", 42, customers, Instant.parse("2026-12-01T00:00:00Z"),
                Duration.ofHours(6));
        lines = new String[EVENTS];
        long bytes = 0;
        for (int i = 0; i < EVENTS; i++) {
            lines[i] = generator.next().toString();
            bytes += lines[i].length();
        }
        // Every customer's key exists before measuring: creating keys is the cold start, measured elsewhere.
        for (int i = 0; i < Math.max(EVENTS, customers * 8) ; i++) {
            encoder.encode((ObjectNode) json.readTree(lines[i % EVENTS]));
        }
        System.out.printf("%nevents of %d bytes on average, value %d bytes%n", bytes / EVENTS,
                encoder.encode((ObjectNode) json.readTree(lines[0])).value().length);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (cipher != null) {
            cipher.close();
            provider.close();
            try (var files = Files.walk(keyDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** What {@code SecureProducer.sendJson} does before handing the record to Kafka. */
    @Benchmark
    public EventEncoder.Encoded encodeJsonLine() throws Exception {
        String line = lines[next++ & (EVENTS - 1)];
        return encoder.encode((ObjectNode) json.readTree(line));
    }
}
