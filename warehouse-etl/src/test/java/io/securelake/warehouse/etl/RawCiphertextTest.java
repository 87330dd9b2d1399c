package io.securelake.warehouse.etl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw files with binary ciphertext, text ciphertext, or both in one day, all read as the text form. */
class RawCiphertextTest {
    static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[1]").appName("raw-ciphertext-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static final Schema TEXT_SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Payment", "namespace": "io.securelake.events.payments", "fields": [
              {"name": "event_id", "type": "string"},
              {"name": "card_number", "type": "string", "classification": "pii-deterministic"},
              {"name": "email", "type": ["null", "string"], "default": null, "classification": "pii-randomized"},
              {"name": "holder", "type": {"type": "record", "name": "Holder", "fields": [
                {"name": "name", "type": "string", "classification": "pii-randomized"},
                {"name": "city", "type": "string"}]}}]}""");
    static final Schema BINARY_SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "Payment", "namespace": "io.securelake.events.payments", "fields": [
              {"name": "event_id", "type": "string"},
              {"name": "card_number", "type": "bytes", "classification": "pii-deterministic"},
              {"name": "email", "type": ["null", "bytes"], "default": null, "classification": "pii-randomized"},
              {"name": "holder", "type": {"type": "record", "name": "Holder", "fields": [
                {"name": "name", "type": "bytes", "classification": "pii-randomized"},
                {"name": "city", "type": "string"}]}}]}""");

    /** A binary ciphertext's first bytes: format version 1, mode, KEK name length… then anything. */
    static byte[] binary(int seed) {
        byte[] b = new byte[40];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        b[0] = 0x01;
        b[1] = 0x02;
        return b;
    }

    static String text(byte[] binary) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(binary);
    }

    static File write(String name, Schema schema, List<GenericRecord> records) throws Exception {
        File f = dir.resolve(name).toFile();
        try (DataFileWriter<GenericRecord> w = new DataFileWriter<>(new GenericDatumWriter<>(schema))) {
            w.create(schema, f);
            for (GenericRecord r : records) {
                w.append(r);
            }
        }
        return f;
    }

    static GenericRecord record(Schema schema, String id, Object card, Object email) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("event_id", id);
        r.put("card_number", card);
        r.put("email", email);
        GenericData.Record holder = new GenericData.Record(schema.getField("holder").schema());
        // The holder's name: the same ciphertext as the card, in the file's form.
        holder.put("name", card);
        holder.put("city", "Paris");
        r.put("holder", holder);
        return r;
    }

    static void assertTextForm(List<Row> rows) {
        Map<String, Row> byId = rows.stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
        assertThat(byId).containsOnlyKeys("e1", "e2", "e3", "e4");
        assertThat(byId.get("e1").<String>getAs("card_number")).isEqualTo(text(binary(1)));
        assertThat(byId.get("e1").<String>getAs("email")).isEqualTo(text(binary(2)));
        assertThat(byId.get("e2").<String>getAs("email")).isNull();
        assertThat(byId.get("e3").<String>getAs("card_number")).isEqualTo(text(binary(4)));
        assertThat(byId.get("e3").<String>getAs("email")).isEqualTo(text(binary(5)));
        assertThat(byId.get("e4").<String>getAs("card_number")).isEqualTo(text(binary(6)));
        assertThat(byId.get("e4").<String>getAs("email")).isNull();
        for (Row r : byId.values()) {
            Row holder = r.getAs("holder");
            assertThat(holder.<String>getAs("name")).isEqualTo(r.<String>getAs("card_number"));
            assertThat(holder.<String>getAs("city")).isEqualTo("Paris");
        }
    }

    @Test
    void aDayMixingTextAndBinaryRawFilesReadsAsTextForm() throws Exception {
        File old = write("old.avro", TEXT_SCHEMA, List.of(
                record(TEXT_SCHEMA, "e1", text(binary(1)), text(binary(2))),
                record(TEXT_SCHEMA, "e2", text(binary(3)), null)));
        File fresh = write("new.avro", BINARY_SCHEMA, List.of(
                record(BINARY_SCHEMA, "e3", ByteBuffer.wrap(binary(4)), ByteBuffer.wrap(binary(5))),
                record(BINARY_SCHEMA, "e4", ByteBuffer.wrap(binary(6)), null)));
        FileSystem local = FileSystem.getLocal(new Configuration());

        List<String> inputs = List.of(old.toURI().toString(), fresh.toURI().toString());

        assertTextForm(RawCiphertext.read(spark, local, inputs, fresh.toURI().toString()).collectAsList());
        // The newest file may be a text-form one (an older writer still running, or rolled back to): its
        // classified fields are read as bytes all the same.
        assertTextForm(RawCiphertext.read(spark, local, inputs, old.toURI().toString()).collectAsList());
    }

    @Test
    void textIsTheUnpaddedBase64urlOfBinaryAndLeavesTextAlone() {
        assertThat(RawCiphertext.text(null)).isNull();
        assertThat(RawCiphertext.text(binary(9))).isEqualTo(text(binary(9))).doesNotContain("=", "+", "/");
        String already = text(binary(9));
        assertThat(RawCiphertext.text(already.getBytes(StandardCharsets.US_ASCII))).isEqualTo(already);
    }
}
