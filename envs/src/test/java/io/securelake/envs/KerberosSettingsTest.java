package io.securelake.envs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KerberosSettingsTest {

    private static Duration reloginFloor(Duration ticketLifetime) {
        return new KerberosSettings("DEV.EXAMPLE.COM", List.of(), Optional.empty(), ticketLifetime, Duration.ofDays(7))
                .minTimeBeforeRelogin();
    }

    @Test
    void everyKafkaClientOfTheEnvironmentGetsTheRenewalFloor() {
        KerberosSettings shortTickets = new KerberosSettings("DEV.EXAMPLE.COM", List.of(), Optional.empty(),
                Duration.ofSeconds(20), Duration.ofDays(7));
        var settings = KafkaClientSettings.kerberized("broker:9093", java.nio.file.Path.of("/ca.pem"), shortTickets);
        assertThat(settings).containsEntry("sasl.kerberos.min.time.before.relogin", "5000")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "GSSAPI")
                .containsEntry("sasl.kerberos.service.name", "kafka").containsEntry("ssl.truststore.location", "/ca.pem");
    }

    @Test
    void kafkaMayRenewWellBeforeATicketEnds() {
        assertThat(reloginFloor(Duration.ofHours(10))).isEqualTo(Duration.ofMinutes(1)); // Kafka's default
        assertThat(reloginFloor(Duration.ofMinutes(4))).isEqualTo(Duration.ofMinutes(1));
        assertThat(reloginFloor(Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(5));
        assertThat(reloginFloor(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
        // Kafka renews at about 80% of a ticket's life: the floor must come before that.
        for (long seconds : new long[] {8, 20, 60, 75, 300, 36_000}) {
            Duration lifetime = Duration.ofSeconds(seconds);
            assertThat(reloginFloor(lifetime)).as("lifetime %s", lifetime)
                    .isLessThan(lifetime.multipliedBy(3).dividedBy(4));
        }
    }
}
