package io.securelake.ingest.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.FieldEncryptionException;
import io.securelake.encryption.RecordCipher;
import io.securelake.encryption.RecordSchema;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.ingest.schema.EventValidationException;
import io.securelake.ingest.schema.JsonEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * One JSON event to the key and value its raw topic carries: validated against the dataset's schema,
 * classified fields encrypted (when a record cipher is given), Avro-encoded behind the event header
 * ({@link EventEncoding}). Kept apart from the Kafka producer so its cost can be measured alone.
 * Thread-safe.
 */
final class EventEncoder {

    /**
     * Parses events given as JSON text. Jackson's fast double parser (exact, as the JDK's, several times
     * quicker) because coordinates and amounts made number parsing a tenth of a producer's time.
     */
    static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build());

    /** What one event becomes on the raw topic. */
    record Encoded(byte[] key, byte[] value) {
    }

    private final DatasetSchema schema;
    private final RecordCipher recordCipher;
    private final RecordSchema recordSchema;
    /** Classified paths and the subject path, split once: the parts of an event the cipher needs. */
    private final List<String[]> projectedPaths;
    private final List<String[]> classifiedPaths;
    private final GenericDatumWriter<GenericRecord> datumWriter;
    private final byte[] header;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    /** @param recordCipher null to send classified fields in clear (benchmarks only) */
    EventEncoder(DatasetSchema schema, String environment, RecordCipher recordCipher) {
        this.schema = schema;
        this.recordCipher = recordCipher;
        this.recordSchema = schema.recordSchema(environment);
        Set<String> paths = new LinkedHashSet<>(schema.classifications().keySet());
        schema.subjectField().ifPresent(paths::add);
        this.projectedPaths = paths.stream().map(p -> p.split("\\.")).toList();
        this.classifiedPaths = schema.classifications().keySet().stream().map(p -> p.split("\\.")).toList();
        this.datumWriter = new GenericDatumWriter<>(schema.avro());
        this.header = EventEncoding.header(schema.version());
    }

    /**
     * @throws EventValidationException if the event does not match the schema (nothing was encrypted)
     * @throws FieldEncryptionException if its classified fields cannot be encrypted
     */
    Encoded encode(ObjectNode event) {
        GenericData.Record record = JsonEvents.toRecord(event, schema.avro());
        if (recordCipher != null) {
            // Only the classified fields (and the subject) go through the cipher, never the whole event.
            ObjectNode sensitive = project(event);
            recordCipher.encryptInPlace(sensitive, recordSchema);
            for (String[] path : classifiedPaths) {
                JsonNode encrypted = at(sensitive, path);
                if (encrypted != null) {
                    put(record, path, encrypted.textValue());
                }
            }
        }
        byte[] key = String.valueOf(record.get(schema.keyField())).getBytes(StandardCharsets.UTF_8);
        return new Encoded(key, avro(record));
    }

    /** A thread's reusable buffer and encoder (one event at a time per thread). */
    private static final class Buffers {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        BinaryEncoder encoder;
    }

    private byte[] avro(GenericRecord record) {
        Buffers b = buffers.get();
        // Buffered: the direct encoder writes varints a byte at a time into the (synchronized) stream.
        // Reconfigured before the reset: reconfiguring flushes what a failed write left in its buffer, and
        // the reset then drops it, so no byte of one event can reach the next.
        b.encoder = EncoderFactory.get().binaryEncoder(b.out, b.encoder);
        b.out.reset();
        b.out.writeBytes(header);
        try {
            datumWriter.write(record, b.encoder);
            b.encoder.flush();
        } catch (IOException | RuntimeException e) {
            b.encoder = null;
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        return b.out.toByteArray();
    }

    private ObjectNode project(ObjectNode event) {
        ObjectNode out = JSON.createObjectNode();
        for (String[] path : projectedPaths) {
            JsonNode value = at(event, path);
            if (value == null) {
                continue;
            }
            ObjectNode target = out;
            for (int i = 0; i < path.length - 1; i++) {
                JsonNode child = target.get(path[i]);
                target = child instanceof ObjectNode o ? o : target.putObject(path[i]);
            }
            target.set(path[path.length - 1], value);
        }
        return out;
    }

    private static JsonNode at(JsonNode node, String[] path) {
        JsonNode current = node;
        for (int i = 0; i < path.length && current != null; i++) {
            current = current.get(path[i]);
        }
        return current;
    }

    private static void put(GenericData.Record record, String[] path, Object value) {
        GenericData.Record current = record;
        for (int i = 0; i < path.length - 1; i++) {
            current = (GenericData.Record) current.get(path[i]);
        }
        current.put(path[path.length - 1], value);
    }
}
