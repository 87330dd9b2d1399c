package io.securelake.lakewriter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.ingest.schema.JsonEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Raw-topic values of one dataset as the secure producer sends them (header, Avro under the wire schema), with each
 * classified field holding its clear text's bytes where the ciphertext would be: the writer never decrypts, so it
 * cannot tell, and the tests need no keys.
 */
final class TestEvents {

    /** One event: its id (what the raw zone is checked by) and its Kafka value. */
    record Event(String id, byte[] value) {
    }

    private final DatasetSchema schema;
    private final EventGenerator generator;
    private final GenericDatumWriter<GenericRecord> writer;

    TestEvents(DatasetSchema latest, long seed) {
        this.schema = latest;
        this.generator = EventGenerator.of(latest.dataset(), seed, 50, Instant.parse("2026-11-25T00:00:00Z"), Duration.ofHours(1));
        this.writer = new GenericDatumWriter<>(latest.wire());
    }

    /** The next generated event, with its event time set to {@code eventTime} (which decides its time partition). */
    Event next(Instant eventTime) {
        ObjectNode json = generator.next();
        json.put(schema.timeField().orElseThrow(), eventTime.toEpochMilli());
        GenericData.Record record = JsonEvents.toRecord(json, schema.avro());
        for (String path : schema.classifications().keySet()) {
            if (record.get(path) instanceof CharSequence clear) {
                record.put(path, ByteBuffer.wrap(clear.toString().getBytes(StandardCharsets.UTF_8)));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        out.writeBytes(EventEncoding.header(schema.version()));
        try {
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Event(json.get("event_id").asText(), out.toByteArray());
    }
}
