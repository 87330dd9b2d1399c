package io.securelake.ingest.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.ingest.generate.EventGenerator;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

class JsonEventsTest {

    static final DatasetSchema PAYMENTS = SchemaCatalog.load(SchemaCatalogTest.SHIPPED).dataset("payments").latest();

    private ObjectNode valid() {
        return EventGenerator.of("payments", 7, 10, Instant.parse("2026-11-25T10:00:00Z"), Duration.ofHours(1)).next();
    }

    @Test
    void generatedEventsConformAndDecimalsAreExact() {
        EventGenerator g = EventGenerator.of("payments", 1, 50, Instant.parse("2026-11-25T10:00:00Z"), Duration.ofHours(2));
        for (int i = 0; i < 2_000; i++) {
            ObjectNode e = g.next();
            GenericData.Record r = JsonEvents.toRecord(e, PAYMENTS.avro());
            Schema amountSchema = PAYMENTS.avro().getField("amount").schema();
            BigDecimal amount = new Conversions.DecimalConversion().fromBytes((ByteBuffer) r.get("amount"), amountSchema,
                    (LogicalTypes.Decimal) amountSchema.getLogicalType());
            assertThat(amount).isEqualByComparingTo(e.get("amount").decimalValue());
            assertThat(EventGenerator.luhnValid(e.get("card_number").asText())).isTrue();
        }
        EventGenerator prefs = EventGenerator.of("customer_preferences", 2);
        DatasetSchema p = SchemaCatalog.load(SchemaCatalogTest.SHIPPED).dataset("customer_preferences").latest();
        for (int i = 0; i < 500; i++) {
            JsonEvents.toRecord(prefs.next(), p.avro());
        }
    }

    @Test
    void isoTimestampsAndOptionalFieldsAreAccepted() {
        ObjectNode e = valid();
        e.put("event_time", "2026-11-25T10:15:30Z");
        e.remove("wallet");
        e.remove("phone");
        GenericData.Record r = JsonEvents.toRecord(e, PAYMENTS.avro());
        assertThat(r.get("event_time")).isEqualTo(Instant.parse("2026-11-25T10:15:30Z").toEpochMilli());
        assertThat(r.get("phone")).isNull();
    }

    @Test
    void refusalsNameTheFieldButNeverTheValue() {
        ObjectNode missing = valid();
        missing.remove("card_number");
        assertThatThrownBy(() -> JsonEvents.toRecord(missing, PAYMENTS.avro()))
                .isInstanceOf(EventValidationException.class).hasMessage("field 'card_number': required field is missing");

        ObjectNode wrongType = valid();
        String name = wrongType.get("customer_name").asText();
        wrongType.put("email", 42);
        assertThatThrownBy(() -> JsonEvents.toRecord(wrongType, PAYMENTS.avro()))
                .hasMessageContaining("field 'email'").hasMessageNotContaining("42");

        ObjectNode unknown = valid();
        unknown.put("ssn", "123-45-6789");
        assertThatThrownBy(() -> JsonEvents.toRecord(unknown, PAYMENTS.avro()))
                .hasMessageContaining("field 'ssn': unknown field").hasMessageNotContaining("123-45");

        ObjectNode badEnum = valid();
        badEnum.put("status", "MAYBE " + name);
        assertThatThrownBy(() -> JsonEvents.toRecord(badEnum, PAYMENTS.avro()))
                .hasMessageContaining("field 'status': expected one of").hasMessageNotContaining(name);

        ObjectNode cents = valid();
        cents.put("amount", new BigDecimal("12.345"));
        assertThatThrownBy(() -> JsonEvents.toRecord(cents, PAYMENTS.avro()))
                .hasMessage("field 'amount': has more than 2 decimal places");

        ObjectNode nested = valid();
        ((ObjectNode) nested.get("location")).put("country", 31);
        assertThatThrownBy(() -> JsonEvents.toRecord(nested, PAYMENTS.avro())).hasMessageContaining("field 'location.country'");
    }

    @Test
    void wireHeaderRoundTripsAndRejectsForeignBytes() {
        byte[] header = EventEncoding.header(2);
        assertThat(EventEncoding.version(header)).isEqualTo(2);
        assertThatThrownBy(() -> EventEncoding.version(new byte[] {'{', '"', 'a', '"', ':'}))
                .hasMessageContaining("not the event magic");
        assertThatThrownBy(() -> EventEncoding.version(new byte[] {1})).hasMessageContaining("at least 5");
    }

    @Test
    void jsonInputParsesFromText() throws Exception {
        ObjectNode e = (ObjectNode) new ObjectMapper().readTree(valid().toString());
        assertThat(JsonEvents.toRecord(e, PAYMENTS.avro()).get("event_id")).isEqualTo(e.get("event_id").asText());
    }
}
