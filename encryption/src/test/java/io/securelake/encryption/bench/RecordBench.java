package io.securelake.encryption.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.Classification;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.RecordCipher;
import io.securelake.encryption.RecordSchema;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** A ~1 KB JSON event with 5 PII fields (3 randomized, 2 deterministic), time per event on one core. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RecordBench {

    static final RecordSchema SCHEMA = RecordSchema.of("bench", "events", RecordSchema.fields(
            "customer.email", Classification.PII_DETERMINISTIC,
            "customer.id", Classification.PII_DETERMINISTIC,
            "customer.name", Classification.PII_RANDOMIZED,
            "customer.phone", Classification.PII_RANDOMIZED,
            "shipping.street", Classification.PII_RANDOMIZED));

    private final ObjectMapper mapper = new ObjectMapper();
    private BenchKeys keys;
    private RecordCipher records;
    private ObjectNode event;
    private byte[] eventBytes;
    private ObjectNode encryptedEvent;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        keys = new BenchKeys();
        records = FieldEncryption.recordCipher(keys.cipher);
        StringBuilder json = new StringBuilder("""
                {"eventId":"6f1c2a9e-3b7d-4c1e-9a2f-0d8e7b6c5a41","type":"order.created","ts":1735689600123,
                 "customer":{"id":"c-0012345","email":"alice.smith@example.com","name":"Alice Smith",
                   "phone":"+31 20 123 4567","segment":"gold","country":"NL"},
                 "shipping":{"street":"Keizersgracht 123","city":"Amsterdam","zip":"1015CJ","method":"express"},
                 "items":[""");
        for (int i = 0; json.length() < 950; i++) {
            json.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(1000 + i)
                    .append("\",\"qty\":").append(i % 3 + 1).append(",\"price\":").append(19.99 + i).append('}');
        }
        json.append("],\"total\":123.45,\"currency\":\"EUR\"}");
        eventBytes = json.toString().getBytes(StandardCharsets.UTF_8);
        event = (ObjectNode) mapper.readTree(eventBytes);
        encryptedEvent = records.encrypt(event, SCHEMA);
        System.out.println();
        System.out.println("event size " + eventBytes.length + " bytes");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        keys.close();
    }

    /** Tree in, tree out (includes the defensive deep copy of the record). */
    @Benchmark
    public ObjectNode encryptTree() {
        return records.encrypt(event, SCHEMA);
    }

    @Benchmark
    public ObjectNode decryptTree() {
        return records.decrypt(encryptedEvent, SCHEMA);
    }

    /** Bytes in, bytes out: parse, encrypt in place, serialise. What a Kafka serializer would do. */
    @Benchmark
    public byte[] encryptBytes() throws Exception {
        ObjectNode tree = (ObjectNode) mapper.readTree(eventBytes);
        records.encryptInPlace(tree, SCHEMA);
        return mapper.writeValueAsBytes(tree);
    }
}
