package io.securelake.ingest.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Encryption of classified fields can be switched off in dev only. */
class IngestConfigTest {

    private static Map<String, String> properties(String environment, boolean encryption) {
        Map<String, String> p = new HashMap<>();
        p.put(IngestConfig.ENVIRONMENT, environment);
        p.put(IngestConfig.DATASET, "payments");
        p.put(IngestConfig.BOOTSTRAP_SERVERS, "localhost:9093");
        p.put(IngestConfig.SSL_CA_PEM, "/tmp/ca.pem");
        p.put(IngestConfig.PRINCIPAL, "svc-ingest-" + environment + "@" + environment.toUpperCase() + ".SECURELAKE.LOCAL");
        p.put(IngestConfig.KEYTAB, "/tmp/ingest.keytab");
        p.put(IngestConfig.SCHEMAS_DIR, "/tmp/schemas");
        p.put(IngestConfig.ENCRYPTION_ENABLED, Boolean.toString(encryption));
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sit", "prod", "dev2"})
    void switching_encryption_off_outside_dev_is_refused(String environment) {
        assertThatThrownBy(() -> IngestConfig.from(properties(environment, false)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(IngestConfig.ENCRYPTION_ENABLED)
                .hasMessageContaining("'" + environment + "' is not dev")
                .hasMessageContaining("in clear");
        // The programmatic switch is refused the same way.
        IngestConfig encrypted = IngestConfig.from(properties(environment, true));
        assertThat(encrypted.encryptionEnabled()).isTrue();
        assertThatThrownBy(() -> encrypted.withEncryption(false)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(IngestConfig.ENCRYPTION_ENABLED);
    }

    @Test
    void dev_may_switch_encryption_off_and_it_is_on_by_default() {
        assertThat(IngestConfig.from(properties("dev", false)).encryptionEnabled()).isFalse();
        Map<String, String> unset = properties("prod", true);
        unset.remove(IngestConfig.ENCRYPTION_ENABLED);
        assertThat(IngestConfig.from(unset).encryptionEnabled()).isTrue();
    }
}
