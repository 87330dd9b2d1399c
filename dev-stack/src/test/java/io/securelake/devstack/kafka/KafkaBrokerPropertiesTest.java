package io.securelake.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.devstack.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The broker's listeners, read from the properties it is started with: nothing is in clear. */
class KafkaBrokerPropertiesTest {

    private static final Path DIR = Path.of("/nonexistent/securelake-test");

    private final Properties props = EmbeddedKafkaBroker.brokerProperties(new KafkaBrokerSettings(
            "localhost", 19093, 19094, DIR.resolve("kafka"), "kafka/localhost@DEV.SECURELAKE.LOCAL",
            DIR.resolve("kafka.keytab"),
            new TlsMaterial(DIR.resolve("server.p12"), DIR.resolve("truststore.p12"), DIR.resolve("ca.pem"), "ks", "ts"),
            Set.of("kafka"), Map.of("authorizer.class.name", "some.Authorizer"), Duration.ofMinutes(1)));

    @Test
    void every_listener_including_the_controller_is_sasl_over_tls() {
        Map<String, String> protocolOf = Arrays.stream(props.getProperty("listener.security.protocol.map").split(","))
                .map(entry -> entry.split(":", 2))
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));

        assertThat(protocolOf).containsEntry(props.getProperty("controller.listener.names"), "SASL_SSL");
        assertThat(protocolOf.values()).containsOnly("SASL_SSL");
        // Every listener the node binds is in the map (Kafka would otherwise take the name as a protocol).
        Set<String> bound = Arrays.stream(props.getProperty("listeners").split(","))
                .map(l -> l.substring(0, l.indexOf("://")))
                .collect(Collectors.toSet());
        assertThat(protocolOf.keySet()).containsAll(bound);
        assertThat(props.getProperty("sasl.mechanism.controller.protocol")).isEqualTo("GSSAPI");
    }

    @Test
    void the_controller_client_trusts_the_stack_ca_and_checks_the_host_name() {
        assertThat(props.getProperty("ssl.truststore.location")).isEqualTo(DIR.resolve("truststore.p12").toString());
        assertThat(props.getProperty("ssl.endpoint.identification.algorithm")).isEqualTo("https");
        // No listener-specific override may point the controller elsewhere.
        assertThat(props.stringPropertyNames()).noneMatch(k -> k.startsWith("listener.name.controller.ssl."));
    }
}
