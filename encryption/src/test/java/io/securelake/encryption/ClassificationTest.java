package io.securelake.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassificationTest {

    @Test
    void schemasNameClassificationsByTheirLabelInAnyCase() {
        assertThat(Classification.parse("f", "pii-randomized")).isEqualTo(Classification.PII_RANDOMIZED);
        assertThat(Classification.parse("f", "PII-Deterministic")).isEqualTo(Classification.PII_DETERMINISTIC);
        for (Classification c : Classification.values()) {
            assertThat(Classification.parse("f", c.label())).isEqualTo(c);
        }
        assertThat(Classification.PII_RANDOMIZED.label()).isEqualTo("pii-randomized");
        assertThat(Classification.PII_DETERMINISTIC.mode()).isEqualTo(EncryptionMode.DETERMINISTIC);
    }

    @Test
    void anythingElseIsRefusedNamingTheFieldAndTheValue() {
        for (Object bad : new Object[] {"pii", "", "pii_randomized", " pii-randomized", true, 1}) {
            assertThatThrownBy(() -> Classification.parse("holder.card", bad)).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("field 'holder.card': unknown classification '" + bad
                            + "' (known: pii-randomized, pii-deterministic)");
        }
    }
}
