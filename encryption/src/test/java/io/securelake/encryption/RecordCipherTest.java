package io.securelake.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.Fixtures.MutableClock;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordCipherTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final RecordSchema SCHEMA = RecordSchema.of("dev", "payments", RecordSchema.fields(
            "customer.email", Classification.PII_DETERMINISTIC,
            "customer.name", Classification.PII_RANDOMIZED,
            "customer.age", Classification.PII_RANDOMIZED,
            "customer.vip", Classification.PII_RANDOMIZED,
            "customer.nickname", Classification.PII_RANDOMIZED,
            "card.balance", Classification.PII_RANDOMIZED,
            "card.limit", Classification.PII_DETERMINISTIC,
            "card.bigint", Classification.PII_RANDOMIZED,
            "address", Classification.PII_RANDOMIZED,
            "tags", Classification.PII_RANDOMIZED,
            "absent.field", Classification.PII_RANDOMIZED));

    @TempDir
    Path dir;

    private HadoopKekProvider provider;
    private FieldCipher fieldCipher;
    private RecordCipher records;

    @BeforeEach
    void setUp() {
        provider = Fixtures.keystoreWith(dir, "dev.payments");
        fieldCipher = Fixtures.cipher("dev", provider, Fixtures.memoryRepository(), new MutableClock());
        records = FieldEncryption.recordCipher(fieldCipher);
    }

    @AfterEach
    void tearDown() {
        fieldCipher.close();
        provider.close();
    }

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void allJsonTypesRoundTripWithTheirTypeAndUnclassifiedFieldsAreUntouched() throws Exception {
        ObjectNode event = json("""
                {"id": 17, "amount": 12.5,
                 "customer": {"email": "alice@example.com", "name": "Alice Ünïcode ✓", "age": 41, "vip": true,
                              "nickname": null, "country": "NL"},
                 "card": {"balance": 1234.5678, "limit": 9007199254740993, "bigint": 123456789012345678901234567890},
                 "address": {"street": "Main 1", "zip": "1234AB"},
                 "tags": ["a", 1, false]}""");

        ObjectNode encrypted = records.encrypt(event, SCHEMA);

        assertThat(encrypted.get("id")).isEqualTo(event.get("id"));
        assertThat(encrypted.get("amount")).isEqualTo(event.get("amount"));
        assertThat(encrypted.at("/customer/country").asText()).isEqualTo("NL");
        for (String pointer : new String[] {"/customer/email", "/customer/name", "/customer/age", "/customer/vip",
                "/customer/nickname", "/card/balance", "/card/limit", "/card/bigint", "/address", "/tags"}) {
            assertThat(encrypted.at(pointer).isTextual()).as(pointer).isTrue();
            assertThat(encrypted.at(pointer).asText()).as(pointer).matches("[A-Za-z0-9_-]{40,}");
        }
        assertThat(encrypted.toString()).doesNotContain("alice", "Alice", "Main 1");
        assertThat(encrypted.has("absent")).isFalse();
        assertThat(event.at("/customer/email").asText()).isEqualTo("alice@example.com");

        ObjectNode decrypted = records.decrypt(encrypted, SCHEMA);
        assertThat(decrypted).isEqualTo(event);
        assertThat(decrypted.at("/customer/age").isInt()).isTrue();
        assertThat(decrypted.at("/card/limit").isLong()).isTrue();
        assertThat(decrypted.at("/card/bigint").isBigInteger()).isTrue();
        assertThat(decrypted.at("/customer/nickname").isNull()).isTrue();
        assertThat(decrypted.at("/customer/vip").isBoolean()).isTrue();
    }

    @Test
    void deterministicFieldsCanBeJoinedAcrossRecords() throws Exception {
        ObjectNode one = records.encrypt(json("{\"customer\": {\"email\": \"bob@example.com\", \"name\": \"Bob\"}}"), SCHEMA);
        ObjectNode two = records.encrypt(json("{\"customer\": {\"email\": \"bob@example.com\", \"name\": \"Bob\"}}"), SCHEMA);
        assertThat(one.at("/customer/email")).isEqualTo(two.at("/customer/email"));
        assertThat(one.at("/customer/name")).isNotEqualTo(two.at("/customer/name"));
    }

    @Test
    void clearValueInAClassifiedFieldIsRefusedNotPassedThrough() throws Exception {
        ObjectNode encrypted = records.encrypt(json("{\"customer\": {\"email\": \"c@example.com\", \"age\": 3}}"), SCHEMA);
        ObjectNode clearAge = encrypted.deepCopy();
        ((ObjectNode) clearAge.get("customer")).put("age", 3);
        assertThatThrownBy(() -> records.decrypt(clearAge, SCHEMA))
                .isInstanceOf(NotEncryptedException.class).hasMessageContaining("customer.age");
        ObjectNode clearEmail = encrypted.deepCopy();
        ((ObjectNode) clearEmail.get("customer")).put("email", "c@example.com");
        assertThatThrownBy(() -> records.decrypt(clearEmail, SCHEMA)).isInstanceOf(MalformedCiphertextException.class);
        ObjectNode swapped = encrypted.deepCopy();
        ((ObjectNode) swapped.get("customer")).set("age", encrypted.at("/customer/email"));
        assertThatThrownBy(() -> records.decrypt(swapped, SCHEMA)).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void subjectFieldSelectsPerSubjectKeysAndIsReadBeforeItIsEncrypted() throws Exception {
        RecordSchema perCustomer = RecordSchema.of("dev", "payments", RecordSchema.fields(
                "customer.id", Classification.PII_DETERMINISTIC,
                "customer.email", Classification.PII_RANDOMIZED)).withSubjectField("customer.id");
        ObjectNode event = json("{\"customer\": {\"id\": \"c-42\", \"email\": \"d@example.com\"}}");
        ObjectNode encrypted = records.encrypt(event, perCustomer);
        assertThat(records.decrypt(encrypted, perCustomer)).isEqualTo(event);
        assertThatThrownBy(() -> records.encrypt(json("{\"customer\": {\"email\": \"x\"}}"), perCustomer))
                .isInstanceOf(FieldEncryptionException.class).hasMessageContaining("subject");
    }
}
