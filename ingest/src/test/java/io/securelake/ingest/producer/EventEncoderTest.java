package io.securelake.ingest.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.core.CiphertextFormat;
import io.securelake.encryption.core.InMemoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.ingest.schema.EventValidationException;
import io.securelake.ingest.schema.SchemaCatalog;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventEncoderTest {

    private static final DatasetSchema PAYMENTS = SchemaCatalog.load(
            Path.of(System.getProperty("securelake.schemas.dir", "../envs/schemas"))).dataset("payments").latest();

    @TempDir
    Path dir;

    private HadoopKekProvider provider;
    private FieldCipher cipher;

    @BeforeEach
    void keys() {
        provider = HadoopKekProvider.open(URI.create("jceks://file" + dir.resolve("keks.jceks")), Map.of());
        provider.createKek("dev.payments");
        cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev").withKeysPerThread(4), provider,
                new InMemoryDekRepository());
    }

    @AfterEach
    void close() {
        cipher.close();
        provider.close();
    }

    private static EventGenerator events() {
        return EventGenerator.of("payments", 3, 20, Instant.parse("2026-12-01T10:00:00Z"), Duration.ofHours(1));
    }

    private static GenericRecord decode(byte[] value) throws Exception {
        assertThat(EventEncoding.version(value)).isEqualTo(PAYMENTS.version());
        return new GenericDatumReader<GenericRecord>(PAYMENTS.wire()).read(null,
                DecoderFactory.get().binaryDecoder(value, EventEncoding.HEADER_LENGTH,
                        value.length - EventEncoding.HEADER_LENGTH, null));
    }

    @Test
    void classifiedFieldsTravelEncryptedUnderTheirContextAndTheRestInClear() throws Exception {
        EventEncoder encoder = new EventEncoder(PAYMENTS, "dev", FieldEncryption.recordCipher(cipher));
        EventGenerator events = events();
        for (int i = 0; i < 200; i++) {
            ObjectNode event = events.next();
            EventEncoder.Encoded encoded = encoder.encode(event);
            GenericRecord record = decode(encoded.value());
            for (String field : PAYMENTS.classifications().keySet()) {
                JsonNode clear = event.get(field);
                Object sent = record.get(field);
                if (clear == null || clear.isNull()) {
                    assertThat(sent).as(field).isNull();
                    continue;
                }
                // The binary form (format version 1 first), not its base64url text.
                byte[] ciphertext = bytes(sent);
                assertThat(ciphertext[0]).as(field).isEqualTo((byte) 0x01);
                assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).as(field).doesNotContain(clear.textValue());
                byte[] plaintext = cipher.decrypt(ciphertext, new EncryptionContext("dev", "payments", field));
                // One type byte (string), then the value.
                assertThat(new String(plaintext, 1, plaintext.length - 1, StandardCharsets.UTF_8)).as(field)
                        .isEqualTo(clear.textValue());
            }
            assertThat(record.get("merchant").toString()).contains(event.get("merchant").get("name").textValue());
            assertThat(record.get("currency").toString()).isEqualTo(event.get("currency").textValue());
            // The key is the text form of the account's (deterministic) ciphertext: stable per customer, never clear.
            assertThat(new String(encoded.key(), StandardCharsets.US_ASCII))
                    .isEqualTo(CiphertextFormat.toText(bytes(record.get("account_id"))));
            assertThat(Arrays.equals(encoded.key(), event.get("account_id").textValue().getBytes(StandardCharsets.UTF_8)))
                    .isFalse();
        }
        // The caller's event is not modified.
        ObjectNode event = events.next();
        ObjectNode before = event.deepCopy();
        encoder.encode(event);
        assertThat(event).isEqualTo(before);
    }

    private static byte[] bytes(Object avroBytes) {
        java.nio.ByteBuffer b = ((java.nio.ByteBuffer) avroBytes).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void theWireSchemaCarriesClassifiedFieldsAsBytesAndEverythingElseAsDeclared() {
        for (Schema.Field f : PAYMENTS.avro().getFields()) {
            Schema wire = PAYMENTS.wire().getField(f.name()).schema();
            if (PAYMENTS.isClassified(f.name())) {
                assertThat(wire.toString()).as(f.name()).isEqualTo(f.schema().toString().replace("\"string\"", "\"bytes\""));
                assertThat(PAYMENTS.wire().getField(f.name()).getProp("classification")).isEqualTo(f.getProp("classification"));
            } else {
                assertThat(wire).as(f.name()).isEqualTo(f.schema());
            }
        }
        assertThat(PAYMENTS.wire().getFullName()).isEqualTo(PAYMENTS.avro().getFullName());
        assertThat(PAYMENTS.wire().getProp("key_field")).isEqualTo("account_id");
    }

    @Test
    void theSameAccountAlwaysGetsTheSameKey() {
        EventEncoder encoder = new EventEncoder(PAYMENTS, "dev", FieldEncryption.recordCipher(cipher));
        EventGenerator events = events();
        Map<String, String> keyByAccount = new java.util.HashMap<>();
        for (int i = 0; i < 300; i++) { // 20 customers, 4 kept engines per thread: engines are evicted and rebuilt
            ObjectNode event = events.next();
            String key = new String(encoder.encode(event).key(), StandardCharsets.UTF_8);
            String previous = keyByAccount.putIfAbsent(event.get("account_id").textValue(), key);
            assertThat(previous == null || previous.equals(key)).isTrue();
        }
        assertThat(keyByAccount).hasSize(20);
        assertThat(keyByAccount.values()).doesNotHaveDuplicates();
    }

    @Test
    void anInvalidEventIsRefusedBeforeAnythingIsEncrypted() {
        EventEncoder encoder = new EventEncoder(PAYMENTS, "dev", FieldEncryption.recordCipher(cipher));
        ObjectNode event = events().next();
        event.put("amount", "twelve");
        long before = cipher.stats().fieldsEncrypted();
        assertThatThrownBy(() -> encoder.encode(event)).isInstanceOf(EventValidationException.class)
                .hasMessageContaining("amount").hasMessageNotContaining("twelve");
        assertThat(cipher.stats().fieldsEncrypted()).isEqualTo(before);
    }

    @Test
    void withoutACipherTheValueCarriesClearFields() throws Exception {
        EventEncoder encoder = new EventEncoder(PAYMENTS, "dev", null);
        ObjectNode event = events().next();
        GenericRecord record = decode(encoder.encode(event).value());
        assertThat(new String(bytes(record.get("card_number")), StandardCharsets.UTF_8))
                .isEqualTo(event.get("card_number").textValue());
        assertThat(((GenericData.EnumSymbol) record.get("status")).toString()).isEqualTo(event.get("status").textValue());
    }
}
