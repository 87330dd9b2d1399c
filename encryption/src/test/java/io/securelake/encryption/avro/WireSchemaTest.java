package io.securelake.encryption.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.encryption.Classification;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class WireSchemaTest {

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    private static Schema type(Schema record, String field) {
        return record.getField(field).schema();
    }

    @Test
    void topLevelAndNullableClassifiedFieldsBecomeBytesAndEverythingElseStays() {
        Schema logical = parse("""
                {"type": "record", "name": "Payment", "namespace": "io.securelake.events", "doc": "a payment",
                 "key_field": "card", "fields": [
                  {"name": "id", "type": "string", "doc": "clear"},
                  {"name": "card", "type": "string", "classification": "pii-deterministic", "doc": "the card"},
                  {"name": "email", "type": ["null", "string"], "default": null, "classification": "PII-Randomized"},
                  {"name": "legacy", "type": ["string", "null"], "default": "", "classification": "pii-randomized"},
                  {"name": "already", "type": "bytes", "classification": "pii-randomized"},
                  {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["OK", "KO"]}}]}""");
        Schema wire = WireSchema.of(logical);

        assertThat(type(wire, "card").getType()).isEqualTo(Schema.Type.BYTES);
        assertThat(type(wire, "email").toString()).isEqualTo("[\"null\",\"bytes\"]");
        assertThat(type(wire, "legacy").toString()).as("branch order kept").isEqualTo("[\"bytes\",\"null\"]");
        assertThat(type(wire, "already").getType()).isEqualTo(Schema.Type.BYTES);
        assertThat(type(wire, "id")).isEqualTo(type(logical, "id"));
        assertThat(type(wire, "status")).isEqualTo(type(logical, "status"));
        // Names, docs, defaults and properties are the logical schema's.
        assertThat(wire.getFullName()).isEqualTo("io.securelake.events.Payment");
        assertThat(wire.getDoc()).isEqualTo("a payment");
        assertThat(wire.getProp("key_field")).isEqualTo("card");
        assertThat(wire.getField("card").doc()).isEqualTo("the card");
        assertThat(wire.getField("card").getProp(Classification.PROPERTY)).isEqualTo("pii-deterministic");
        assertThat(wire.getField("email").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
        // The declared default is kept as written: "" is the empty string, and under bytes the empty bytes.
        assertThat(wire.getField("legacy").toString()).isEqualTo(logical.getField("legacy").toString()
                .replace("[\"string\",\"null\"]", "[\"bytes\",\"null\"]"));
        assertThat((byte[]) wire.getField("legacy").defaultVal()).isEmpty();
    }

    @Test
    void classifiedFieldsInsideArraysMapsAndUnionsOfRecordsAreConverted() {
        Schema logical = parse("""
                {"type": "record", "name": "Customer", "fields": [
                  {"name": "contacts", "type": {"type": "array", "note": "kept", "items": {"type": "record", "name": "Contact",
                    "fields": [{"name": "phone", "type": "string", "classification": "pii-randomized"},
                               {"name": "kind", "type": "string"}]}}},
                  {"name": "addresses", "type": {"type": "map", "values": {"type": "record", "name": "Address",
                    "fields": [{"name": "street", "type": ["null", "string"], "default": null, "classification": "pii-randomized"}]}}},
                  {"name": "spouse", "type": ["null", {"type": "record", "name": "Person",
                    "fields": [{"name": "name", "type": "string", "classification": "pii-deterministic"}]}], "default": null},
                  {"name": "tags", "type": {"type": "array", "items": "string"}}]}""");
        Schema wire = WireSchema.of(logical);

        Schema contact = type(wire, "contacts").getElementType();
        assertThat(type(contact, "phone").getType()).isEqualTo(Schema.Type.BYTES);
        assertThat(type(contact, "kind").getType()).isEqualTo(Schema.Type.STRING);
        assertThat(type(wire, "contacts").getProp("note")).as("an array's properties are kept").isEqualTo("kept");
        assertThat(type(type(wire, "addresses").getValueType(), "street").toString()).isEqualTo("[\"null\",\"bytes\"]");
        Schema person = type(wire, "spouse").getTypes().get(1);
        assertThat(type(person, "name").getType()).isEqualTo(Schema.Type.BYTES);
        assertThat(type(wire, "tags").getElementType().getType()).as("unclassified strings stay strings")
                .isEqualTo(Schema.Type.STRING);
    }

    @Test
    void aliasesOfRecordsAndFieldsSurviveSoOlderDataStillResolves() {
        Schema logical = parse("""
                {"type": "record", "name": "Payment", "namespace": "n", "aliases": ["OldPayment"], "fields": [
                  {"name": "card", "type": "string", "aliases": ["pan"], "classification": "pii-deterministic"},
                  {"name": "holder", "type": {"type": "record", "name": "Holder", "aliases": ["n.Owner"],
                    "fields": [{"name": "name", "type": "string", "aliases": ["full_name"], "classification": "pii-randomized"}]}}]}""");
        Schema wire = WireSchema.of(logical);

        assertThat(wire.getAliases()).containsExactly("n.OldPayment");
        assertThat(wire.getField("card").aliases()).containsExactly("pan");
        assertThat(type(wire, "holder").getAliases()).containsExactly("n.Owner");
        assertThat(type(wire, "holder").getField("name").aliases()).containsExactly("full_name");

        // Data written under the old names reads under the wire schema, through the aliases.
        Schema old = parse("""
                {"type": "record", "name": "OldPayment", "namespace": "n", "fields": [
                  {"name": "pan", "type": "bytes"},
                  {"name": "holder", "type": {"type": "record", "name": "Owner",
                    "fields": [{"name": "full_name", "type": "bytes"}]}}]}""");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(wire, old).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void aNamedRecordUsedTwiceOrInItselfIsConvertedOnce() {
        Schema logical = parse("""
                {"type": "record", "name": "Node", "fields": [
                  {"name": "secret", "type": "string", "classification": "pii-randomized"},
                  {"name": "left", "type": ["null", "Node"], "default": null},
                  {"name": "right", "type": ["null", "Node"], "default": null}]}""");
        Schema wire = WireSchema.of(logical);

        assertThat(type(wire, "left").getTypes().get(1)).isSameAs(wire);
        assertThat(type(wire, "right").getTypes().get(1)).isSameAs(wire);
        assertThat(type(wire, "secret").getType()).isEqualTo(Schema.Type.BYTES);
    }

    @Test
    void aStringWrittenUnderTheLogicalSchemaReadsAsItsBytesUnderTheWireSchema() throws Exception {
        Schema logical = parse("""
                {"type": "record", "name": "R", "fields": [
                  {"name": "card", "type": "string", "classification": "pii-deterministic"},
                  {"name": "email", "type": ["null", "string"], "default": null, "classification": "pii-randomized"},
                  {"name": "items", "type": {"type": "array", "items": {"type": "record", "name": "I",
                    "fields": [{"name": "v", "type": "string", "classification": "pii-randomized"}]}}}]}""");
        Schema wire = WireSchema.of(logical);
        GenericRecord r = new GenericData.Record(logical);
        r.put("card", "4111");
        r.put("email", "a@b");
        GenericRecord item = new GenericData.Record(logical.getField("items").schema().getElementType());
        item.put("v", "x");
        r.put("items", List.of(item));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(logical).write(r, enc);
        enc.flush();

        GenericRecord back = new GenericDatumReader<GenericRecord>(logical, wire)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertThat(back.get("card")).isEqualTo(ByteBuffer.wrap("4111".getBytes(StandardCharsets.UTF_8)));
        assertThat(back.get("email")).isEqualTo(ByteBuffer.wrap("a@b".getBytes(StandardCharsets.UTF_8)));
        GenericRecord backItem = (GenericRecord) ((List<?>) back.get("items")).get(0);
        assertThat(backItem.get("v")).isEqualTo(ByteBuffer.wrap("x".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anUnknownClassificationIsRefusedNamingTheFieldAndTheValue() {
        Schema logical = parse("""
                {"type": "record", "name": "R", "fields": [
                  {"name": "holder", "type": {"type": "record", "name": "H", "fields": [
                    {"name": "name", "type": "string", "classification": "pii-random"}]}}]}""");
        assertThatThrownBy(() -> WireSchema.of(logical)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("field 'holder.name': unknown classification 'pii-random' (known: pii-randomized, pii-deterministic)");
        assertThatThrownBy(() -> WireSchema.classifiedPaths(logical)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'holder.name'").hasMessageContaining("'pii-random'");
    }

    @Test
    void aClassifiedFieldThatCannotHoldCiphertextIsRefused() {
        Schema logical = parse("""
                {"type": "record", "name": "R", "fields": [{"name": "age", "type": "int", "classification": "pii-randomized"}]}""");
        assertThatThrownBy(() -> WireSchema.of(logical)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field 'age' is classified but its type is \"int\"");
    }

    @Test
    void classifiedPathsFollowNestedRecordsInDeclarationOrder() {
        Schema logical = parse("""
                {"type": "record", "name": "R", "fields": [
                  {"name": "card", "type": "bytes", "classification": "pii-deterministic"},
                  {"name": "holder", "type": {"type": "record", "name": "H", "fields": [
                    {"name": "name", "type": "string", "classification": "pii-randomized"},
                    {"name": "city", "type": "string"}]}},
                  {"name": "id", "type": "string"}]}""");
        assertThat(WireSchema.classifiedPaths(logical)).containsExactly("card", "holder.name");
        assertThat(WireSchema.classifiedPaths(WireSchema.of(logical))).containsExactly("card", "holder.name");
        assertThat(WireSchema.classification(logical.getField("card"), "card")).contains(Classification.PII_DETERMINISTIC);
        assertThat(WireSchema.classification(logical.getField("id"), "id")).isEmpty();
    }

    @Test
    void classifiedPathsRefuseClassifiedFieldsNoColumnPathCanName() {
        for (String nested : List.of(
                "{\"type\": \"array\", \"items\": {\"type\": \"record\", \"name\": \"A\", \"fields\": [{\"name\": \"v\", \"type\": \"string\", \"classification\": \"pii-randomized\"}]}}",
                "{\"type\": \"map\", \"values\": {\"type\": \"record\", \"name\": \"M\", \"fields\": [{\"name\": \"v\", \"type\": \"string\", \"classification\": \"pii-randomized\"}]}}",
                "[\"null\", {\"type\": \"record\", \"name\": \"U\", \"fields\": [{\"name\": \"v\", \"type\": \"string\", \"classification\": \"pii-randomized\"}]}]")) {
            Schema logical = parse("{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"x\", \"type\": " + nested
                    + (nested.startsWith("[") ? ", \"default\": null" : "") + "}]}");
            assertThatThrownBy(() -> WireSchema.classifiedPaths(logical)).as(nested)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("field 'x' nests classified fields inside a union, array or map");
        }
    }
}
