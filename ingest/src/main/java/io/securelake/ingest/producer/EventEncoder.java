package io.securelake.ingest.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.FieldEncryption;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * One JSON event to the key and value its raw topic carries: validated against the dataset's schema,
 * classified fields encrypted (when a record cipher is given) to binary ciphertext, Avro-encoded under the
 * wire schema ({@link DatasetSchema#wire()}) behind the event header ({@link EventEncoding}). The Kafka key is
 * the key field's value, or its ciphertext's text form when it is classified. Kept apart from the Kafka
 * producer so its cost can be measured alone. Thread-safe.
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
    /** Classified paths, split once. */
    private final Map<String, String[]> classifiedPaths = new LinkedHashMap<>();
    private final boolean keyClassified;
    private final GenericDatumWriter<GenericRecord> datumWriter;
    private final byte[] header;
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    /** @param recordCipher null to send classified fields in clear (benchmarks only) */
    EventEncoder(DatasetSchema schema, String environment, RecordCipher recordCipher) {
        this.schema = schema;
        this.recordCipher = recordCipher;
        this.recordSchema = schema.recordSchema(environment);
        schema.classifications().keySet().forEach(p -> classifiedPaths.put(p, p.split("\\.")));
        this.keyClassified = schema.isClassified(schema.keyField());
        this.datumWriter = new GenericDatumWriter<>(schema.wire());
        this.header = EventEncoding.header(schema.version());
    }

    /**
     * @throws EventValidationException if the event does not match the schema (nothing was encrypted)
     * @throws FieldEncryptionException if its classified fields cannot be encrypted
     */
    Encoded encode(ObjectNode event) {
        // Validated against the schema producers know; the record is then filled for the wire schema, whose
        // records have the same fields in the same positions (only classified fields' types differ).
        GenericData.Record record = JsonEvents.toRecord(event, schema.avro());
        byte[] key;
        if (recordCipher != null) {
            // Only the classified fields (and the subject) go through the cipher, never the whole event.
            Map<String, byte[]> encrypted = recordCipher.encryptFields(event, recordSchema);
            for (Map.Entry<String, byte[]> e : encrypted.entrySet()) {
                put(record, classifiedPaths.get(e.getKey()), ByteBuffer.wrap(e.getValue()));
            }
            for (Map.Entry<String, String[]> c : classifiedPaths.entrySet()) {
                if (get(record, c.getValue()) instanceof CharSequence) {
                    // A value the event did not carry (a schema default): never sent in clear.
                    throw new FieldEncryptionException("classified field '" + c.getKey() + "' of dataset '"
                            + schema.dataset() + "' holds a value that was not encrypted");
                }
            }
            key = keyClassified
                    ? FieldEncryption.ciphertextText(encrypted.get(schema.keyField())).getBytes(StandardCharsets.US_ASCII)
                    : String.valueOf(record.get(schema.keyField())).getBytes(StandardCharsets.UTF_8);
        } else {
            // Benchmarks' clear mode: the clear text's bytes where the ciphertext would be.
            key = String.valueOf(record.get(schema.keyField())).getBytes(StandardCharsets.UTF_8);
            for (String[] path : classifiedPaths.values()) {
                Object clear = get(record, path);
                if (clear instanceof CharSequence text) {
                    put(record, path, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                }
            }
        }
        return new Encoded(key, avro(record));
    }

    /**
     * The event's data subject (the customer whose own key encrypts its personal fields) as the cipher reads it, or
     * null when events are not encrypted per subject or this one names none (encoding then refuses it).
     */
    String subjectOf(ObjectNode event) {
        String path = recordCipher == null ? null : recordSchema.subjectField().orElse(null);
        JsonNode node = event;
        for (int start = 0; path != null && node != null; ) {
            int dot = path.indexOf('.', start);
            node = node.get(dot < 0 ? path.substring(start) : path.substring(start, dot));
            if (dot < 0) {
                return node == null || node.isNull() || !node.isValueNode() ? null : node.asText();
            }
            start = dot + 1;
        }
        return null;
    }

    /** @throws EventValidationException if the event does not match the schema, as {@link #encode} would */
    void validate(ObjectNode event) {
        JsonEvents.toRecord(event, schema.avro());
    }

    /** Readies the key of the event's subject without waiting for the key registry ({@link RecordCipher#prepareSubjectKey}). */
    java.util.concurrent.CompletableFuture<Void> prepareSubjectKey(ObjectNode event) {
        return recordCipher.prepareSubjectKey(event, recordSchema);
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

    private static Object get(GenericData.Record record, String[] path) {
        GenericData.Record current = record;
        for (int i = 0; i < path.length - 1; i++) {
            current = (GenericData.Record) current.get(path[i]);
        }
        return current.get(path[path.length - 1]);
    }

    private static void put(GenericData.Record record, String[] path, Object value) {
        GenericData.Record current = record;
        for (int i = 0; i < path.length - 1; i++) {
            current = (GenericData.Record) current.get(path[i]);
        }
        current.put(path[path.length - 1], value);
    }
}
