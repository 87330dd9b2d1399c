package io.securelake.ingest.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.Classification;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaCatalogTest {

    static final Path SHIPPED = Path.of(System.getProperty("securelake.schemas.dir", "../envs/schemas"));
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shippedSchemasLoadWithTheirClassifications() {
        SchemaCatalog catalog = SchemaCatalog.load(SHIPPED);
        assertThat(catalog.datasets()).contains("payments", "customer_preferences");
        DatasetSchema payments = catalog.dataset("payments").latest();
        assertThat(payments.version()).isEqualTo(2);
        assertThat(payments.classifications()).containsOnlyKeys("card_number", "account_id", "customer_name", "email", "phone");
        assertThat(payments.classifications().get("card_number")).isEqualTo(Classification.PII_DETERMINISTIC);
        assertThat(payments.classifications().get("email")).isEqualTo(Classification.PII_RANDOMIZED);
        assertThat(payments.subjectField()).contains("account_id");
        assertThat(payments.keyField()).isEqualTo("account_id");
        assertThat(payments.timeField()).contains("event_time");
        assertThat(catalog.dataset("customer_preferences").latest().subjectField()).contains("customer_id");
    }

    private ObjectNode paymentsV2() throws Exception {
        return (ObjectNode) JSON.readTree(Files.readString(SHIPPED.resolve("payments/v2.avsc")));
    }

    private ObjectNode field(ObjectNode schema, String name) {
        for (var f : schema.withArray("fields")) {
            if (f.get("name").asText().equals(name)) {
                return (ObjectNode) f;
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void anOptionalNewFieldIsCompatible() throws Exception {
        ObjectNode v3 = paymentsV2();
        v3.withArray("fields").addObject().put("name", "loyalty_id").putNull("default")
                .putArray("type").add("null").add("string");
        CompatibilityReport report = SchemaCatalog.load(SHIPPED).propose("payments", v3.toString());
        assertThat(report.compatible()).as(report.describe()).isTrue();
        assertThat(report.candidateVersion()).isEqualTo(3);
    }

    @Test
    void aRequiredNewFieldIsRefusedWithTheReasonAndVersion() throws Exception {
        ObjectNode v3 = paymentsV2();
        v3.withArray("fields").addObject().put("name", "risk_score").put("type", "int");
        CompatibilityReport report = SchemaCatalog.load(SHIPPED).propose("payments", v3.toString());
        assertThat(report.compatible()).isFalse();
        assertThat(report.describe()).contains("v1 (backward)", "v2 (backward)", "risk_score",
                "READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void changingATypeIncompatiblyIsRefused() throws Exception {
        ObjectNode v3 = paymentsV2();
        field(v3, "response_code").put("type", "int");
        CompatibilityReport report = SchemaCatalog.load(SHIPPED).propose("payments", v3.toString());
        assertThat(report.compatible()).isFalse();
        assertThat(report.describe()).contains("TYPE_MISMATCH", "response_code");
    }

    @Test
    void removingAnEnumSymbolBreaksOldReadersOfNewData() throws Exception {
        ObjectNode v3 = paymentsV2();
        ObjectNode statusType = (ObjectNode) field(v3, "status").get("type");
        ArrayNode symbols = statusType.putArray("symbols");
        symbols.add("APPROVED").add("DECLINED").add("REVERSED").add("PENDING").add("CHARGEBACK");
        CompatibilityReport report = SchemaCatalog.load(SHIPPED).propose("payments", v3.toString());
        assertThat(report.compatible()).isFalse();
        assertThat(report.describe()).contains("forward", "CHARGEBACK");
    }

    @Test
    void declassifyingOrReclassifyingAFieldIsRefused() throws Exception {
        ObjectNode v3 = paymentsV2();
        field(v3, "email").remove("classification");
        field(v3, "customer_name").put("classification", "pii-deterministic");
        field(v3, "currency").put("classification", "pii-randomized");
        CompatibilityReport report = SchemaCatalog.load(SHIPPED).propose("payments", v3.toString());
        assertThat(report.describe()).contains("'email' was pii-randomized and would become clear",
                "'customer_name' would change from pii-randomized to pii-deterministic",
                "'currency' holds clear values");
    }

    @Test
    void structuralMistakesAreAllReported() {
        String bad = """
                {"type":"record","name":"X","key_field":"nope","time_field":"amount","fields":[
                  {"name":"amount","type":"double","classification":"pii-randomized"},
                  {"name":"who","type":"string","classification":"secret","subject":true},
                  {"name":"other","type":"string","subject":true}]}""";
        assertThatThrownBy(() -> DatasetSchema.parse("x", 1, bad, "x/v1.avsc"))
                .isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("'amount' is classified but its type is \"double\"")
                .hasMessageContaining("unknown classification 'secret'")
                .hasMessageContaining("at most one field may be \"subject\"")
                .hasMessageContaining("key_field 'nope' is not a field")
                .hasMessageContaining("time_field 'amount' must be a non-null long");
    }

    @Test
    void aClassifiedFieldCannotHaveADefaultOtherThanNull() {
        String s = """
                {"type":"record","name":"X","key_field":"id","fields":[
                  {"name":"id","type":"string"},
                  {"name":"nick","type":"string","default":"n/a","classification":"pii-randomized"},
                  {"name":"mail","type":["null","string"],"default":null,"classification":"pii-randomized"}]}""";
        assertThatThrownBy(() -> DatasetSchema.parse("x", 1, s, "x/v1.avsc")).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("'nick' is classified but has a non-null default").hasMessageNotContaining("'mail'");
    }

    @Test
    void aRandomizedKeyCannotBeStable() {
        String s = """
                {"type":"record","name":"X","key_field":"id","fields":[
                  {"name":"id","type":"string","classification":"pii-randomized"}]}""";
        assertThatThrownBy(() -> DatasetSchema.parse("x", 1, s, "x/v1.avsc")).hasMessageContaining("cannot be a stable key");
    }

    @Test
    void aCatalogWithAnIncompatibleVersionOnDiskIsRefusedUnlessTheOldVersionIsRetired() throws Exception {
        Path ds = Files.createDirectories(dir.resolve("things"));
        Files.writeString(ds.resolve("v1.avsc"), """
                {"type":"record","name":"T","key_field":"id","fields":[{"name":"id","type":"string"},{"name":"n","type":"int"}]}""");
        Files.writeString(ds.resolve("v2.avsc"), """
                {"type":"record","name":"T","key_field":"id","fields":[{"name":"id","type":"string"},{"name":"n","type":"string"}]}""");
        assertThatThrownBy(() -> SchemaCatalog.load(dir)).isInstanceOf(InvalidSchemaException.class)
                .hasMessageContaining("things v2 is incompatible").hasMessageContaining("v1 (backward)");
        Files.writeString(ds.resolve("retired"), "v1\n");
        assertThat(SchemaCatalog.load(dir).dataset("things").latest().version()).isEqualTo(2);
    }

    @Test
    void versionGapsAreRefused() throws Exception {
        Path ds = Files.createDirectories(dir.resolve("gappy"));
        Files.writeString(ds.resolve("v2.avsc"), """
                {"type":"record","name":"T","key_field":"id","fields":[{"name":"id","type":"string"}]}""");
        assertThatThrownBy(() -> SchemaCatalog.load(dir)).hasMessageContaining("v1 is missing");
    }
}
