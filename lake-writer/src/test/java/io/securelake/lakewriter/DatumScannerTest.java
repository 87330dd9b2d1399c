package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.JsonEvents;
import io.securelake.ingest.schema.SchemaCatalog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class DatumScannerTest {
    static final SchemaCatalog CATALOG = SchemaCatalog.load(Path.of(System.getProperty("securelake.schemas.dir", "../envs/schemas")));

    static byte[] encode(GenericRecord r, Schema schema) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, e);
        e.flush();
        return out.toByteArray();
    }

    @Test
    void readsTheEventTimeOfEveryShippedDatasetWithoutDecoding() throws Exception {
        for (String dataset : new String[] {"payments", "customer_preferences"}) {
            DatasetSchema latest = CATALOG.dataset(dataset).latest();
            DatumScanner scanner = new DatumScanner(latest.avro(), latest.timeField().orElse(null));
            EventGenerator gen = EventGenerator.of(dataset, 3, 50, Instant.parse("2026-11-25T10:00:00Z"), Duration.ofHours(3));
            for (int i = 0; i < 500; i++) {
                GenericData.Record r = JsonEvents.toRecord(gen.next(), latest.avro());
                byte[] bytes = encode(r, latest.avro());
                long expected = latest.timeField().map(f -> (Long) r.get(f)).orElse(-1L);
                assertThat(scanner.scan(bytes, 0, bytes.length)).as(dataset).isEqualTo(expected);
                // The same datum inside a larger buffer (the Kafka value behind its header).
                byte[] framed = new byte[bytes.length + 5];
                System.arraycopy(bytes, 0, framed, 5, bytes.length);
                assertThat(scanner.scan(framed, 5, bytes.length)).isEqualTo(expected);
            }
        }
    }

    @Test
    void truncatedOrExtendedDataIsRefused() throws Exception {
        DatasetSchema latest = CATALOG.dataset("payments").latest();
        DatumScanner scanner = new DatumScanner(latest.avro(), latest.timeField().orElse(null));
        byte[] bytes = encode(JsonEvents.toRecord(EventGenerator.of("payments", 1).next(), latest.avro()), latest.avro());
        assertThatThrownBy(() -> scanner.scan(bytes, 0, bytes.length - 1)).isInstanceOf(DatumScanner.InvalidDatumException.class)
                .hasMessage("not a valid Payment record: EOFException");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> scanner.scan(longer, 0, longer.length))
                .isInstanceOf(DatumScanner.InvalidDatumException.class).hasMessageContaining("trailing bytes");
        assertThatThrownBy(() -> scanner.scan(new byte[0], 0, 0)).isInstanceOf(DatumScanner.InvalidDatumException.class)
                .hasMessage("not a valid Payment record: EOFException");
    }

    /**
     * Property: on randomly corrupted events, the scanner accepts exactly what a full decode accepts
     * (GenericDatumReader reading the whole datum and nothing after it), so appending scanned bytes as
     * they are never puts into a file what Spark could not read back.
     */
    @Test
    void acceptsExactlyWhatAFullDecodeAccepts() throws Exception {
        DatasetSchema latest = CATALOG.dataset("payments").latest();
        Schema schema = latest.avro();
        DatumScanner scanner = new DatumScanner(schema, latest.timeField().orElse(null));
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
        EventGenerator gen = EventGenerator.of("payments", 11, 20, Instant.parse("2026-11-25T10:00:00Z"), Duration.ofHours(1));
        Random rnd = new Random(5);
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = encode(JsonEvents.toRecord(gen.next(), schema), schema);
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = rnd.nextInt(bytes.length);
                bytes[at] = switch (rnd.nextInt(3)) {
                    case 0 -> (byte) rnd.nextInt(256);
                    case 1 -> (byte) (bytes[at] ^ (1 << rnd.nextInt(8)));
                    default -> (byte) (bytes[at] + (rnd.nextBoolean() ? 1 : -1));
                };
            }
            boolean decodes = fullyDecodes(reader, bytes);
            boolean scans;
            try {
                scanner.scan(bytes, 0, bytes.length);
                scans = true;
            } catch (DatumScanner.InvalidDatumException e) {
                scans = false;
            }
            assertThat(scans).as("corrupted event %d: scanner vs full decode", i).isEqualTo(decodes);
            if (scans) {
                accepted++;
            } else {
                refused++;
            }
        }
        assertThat(accepted).as("some corruptions stay valid (e.g. inside a string)").isPositive();
        assertThat(refused).as("some corruptions are refused").isPositive();
    }

    private static boolean fullyDecodes(GenericDatumReader<GenericRecord> reader, byte[] bytes) {
        try {
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, null);
            reader.read(null, d);
            return d.isEnd();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
