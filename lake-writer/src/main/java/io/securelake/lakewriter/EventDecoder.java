package io.securelake.lakewriter;

import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.DatasetSchemas;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.ingest.schema.UnknownSchemaVersionException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes raw-topic values of one dataset and resolves every schema version to the latest, which is the
 * schema of the files written. Not thread-safe (reuses its decoder); the writer has one per dataset.
 */
final class EventDecoder {

    /** A value that is not a decodable event of this dataset; the message is safe to store (no values). */
    static final class UndecodableEventException extends Exception {
        UndecodableEventException(String message) {
            super(message);
        }
    }

    /**
     * @param record           the event resolved to the file's schema; null when {@code sameAsFileSchema}
     * @param sameAsFileSchema the Avro bytes are already in the file's schema and can be appended as they are
     * @param eventTimeMillis  the time field, or -1 if the schema has none
     */
    record Decoded(GenericRecord record, boolean sameAsFileSchema, long eventTimeMillis) {
    }

    private final DatasetSchemas schemas;
    private final DatasetSchema latest;
    private final Map<Integer, GenericDatumReader<GenericRecord>> readers = new HashMap<>();
    private final DatumScanner latestScanner;
    private BinaryDecoder decoder;

    EventDecoder(DatasetSchemas schemas) {
        this.schemas = schemas;
        this.latest = schemas.latest();
        this.latestScanner = new DatumScanner(latest.wire(), latest.timeField().orElse(null));
    }

    Schema fileSchema() {
        return latest.wire();
    }

    Decoded decode(byte[] value) throws UndecodableEventException {
        int version;
        try {
            version = EventEncoding.version(value);
        } catch (EventEncoding.MalformedEventException e) {
            throw new UndecodableEventException(e.getMessage());
        }
        if (version == latest.version()) {
            // The common case: checked and appended as it is, never decoded into objects.
            try {
                long time = latestScanner.scan(value, EventEncoding.HEADER_LENGTH, value.length - EventEncoding.HEADER_LENGTH);
                return new Decoded(null, true, time);
            } catch (DatumScanner.InvalidDatumException e) {
                throw new UndecodableEventException("not a valid " + latest.dataset() + " v" + version + " Avro record: "
                        + e.getMessage());
            }
        }
        GenericDatumReader<GenericRecord> reader;
        try {
            reader = readers.computeIfAbsent(version,
                    v -> new GenericDatumReader<>(schemas.version(v).wire(), latest.wire()));
        } catch (UnknownSchemaVersionException e) {
            throw new UndecodableEventException(e.getMessage());
        }
        GenericRecord record;
        try {
            decoder = DecoderFactory.get().binaryDecoder(value, EventEncoding.HEADER_LENGTH,
                    value.length - EventEncoding.HEADER_LENGTH, decoder);
            record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new UndecodableEventException("trailing bytes after the v" + version + " record");
            }
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new UndecodableEventException("not a valid " + latest.dataset() + " v" + version + " Avro record: "
                    + e.getClass().getSimpleName());
        }
        long time = -1;
        if (latest.timeField().isPresent()) {
            Object t = record.get(latest.timeField().get());
            if (t instanceof Long l) {
                time = l;
            }
        }
        return new Decoded(record, false, time);
    }
}
