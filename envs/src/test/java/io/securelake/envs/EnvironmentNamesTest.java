package io.securelake.envs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnvironmentNamesTest {
    private final Environment dev = EnvironmentCatalog.of(ShippedEnvironmentsTest.ENVS).load("dev");
    private final EnvironmentNames names = dev.names();
    private final Dataset payments = dev.dataset("payments").orElseThrow();

    @Test
    void kafkaNames() {
        assertThat(names.rawTopic(payments)).isEqualTo("dev.raw.payments");
        assertThat(names.deadLetterTopic(payments)).isEqualTo("dev.dlq.payments");
        assertThat(names.topics()).containsExactly("dev.raw.payments", "dev.dlq.payments",
                "dev.raw.customer_preferences", "dev.dlq.customer_preferences");
        assertThat(names.lakeWriterConsumerGroup()).isEqualTo("dev.lake-writer");
        assertThat(names.topicPrefix()).isEqualTo("dev.");
    }

    @Test
    void hdfsPaths() {
        assertThat(names.rawPath(payments)).isEqualTo("/lake/dev/raw/payments");
        assertThat(names.curatedPath(payments)).isEqualTo("/lake/dev/curated/payments");
        assertThat(names.quarantinePath(payments)).isEqualTo("/lake/dev/quarantine/payments");
        assertThat(names.auditPath()).isEqualTo("/audit/dev");
    }

    @Test
    void warehouseRangerKnoxAndKeys() {
        assertThat(names.hiveDatabase(payments)).isEqualTo("payments_dev");
        assertThat(names.rangerService(RangerServiceType.KAFKA)).isEqualTo("dev_kafka");
        assertThat(names.rangerService(RangerServiceType.HIVE)).isEqualTo("dev_hive");
        assertThat(names.knoxTopology()).isEqualTo("dev");
        assertThat(names.keyEncryptionKey(payments)).isEqualTo("dev.payments");
    }

    @Test
    void principals() {
        assertThat(names.servicePrincipal(ServiceRole.LAKE_WRITER)).isEqualTo("svc-lakewriter-dev");
        assertThat(names.servicePrincipal(ServiceRole.INGEST)).isEqualTo("svc-ingest-dev");
        assertThat(names.servicePrincipal(ServiceRole.GATEWAY)).isEqualTo("svc-knox-dev");
        assertThat(names.qualified("alice")).isEqualTo("alice@DEV.SECURELAKE.LOCAL");
        assertThat(names.qualified("x@OTHER")).isEqualTo("x@OTHER");
        assertThat(EnvironmentNames.hostPrincipal("kafka", "localhost")).isEqualTo("kafka/localhost");
        assertThat(EnvironmentNames.shortName("kafka/localhost@R")).isEqualTo("kafka");
        assertThat(EnvironmentNames.shortName("alice@R")).isEqualTo("alice");
        assertThat(EnvironmentNames.shortName("alice")).isEqualTo("alice");
    }

    @Test
    void roles() {
        assertThat(dev.peopleWithRole(Role.ADMIN)).extracting(Person::name).containsExactly("carol");
        assertThat(dev.peopleWithRole(Role.ANALYST)).extracting(Person::name).containsExactly("alice", "bob");
        assertThat(dev.source()).isEqualTo(ShippedEnvironmentsTest.ENVS.resolve("dev.yaml"));
        assertThat(dev.source().getFileName()).isEqualTo(Path.of("dev.yaml"));
    }
}
