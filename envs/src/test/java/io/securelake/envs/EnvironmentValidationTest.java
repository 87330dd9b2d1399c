package io.securelake.envs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad definition is refused with file, line, field and reason. */
class EnvironmentValidationTest {
    static final String VALID = """
            name: dev
            kerberos:
              realm: DEV.EXAMPLE.COM
            groups:
              - { name: admins, role: admin }
              - { name: analysts, role: analyst }
            people:
              - { name: alice, groups: [analysts] }
              - { name: carol, groups: [admins] }
            services:
              ingest: {}
              lake-writer: {}
              etl: {}
              gateway: {}
              query: {}
            datasets:
              - { name: payments }
            """;

    private final EnvironmentLoader loader = new EnvironmentLoader(Set.of("sit", "prod"));
    private final Path file = Path.of("envs/dev.yaml");

    private Environment parse(String yaml) {
        return loader.parse(file, yaml);
    }

    private void assertRefused(String yaml, String fieldAndMessage) {
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(InvalidEnvironmentException.class)
                .hasMessageContaining("envs/dev.yaml:")
                .hasMessageContaining(fieldAndMessage);
    }

    @Test
    void validDefinitionLoadsWithDefaults() {
        Environment env = parse(VALID);
        assertThat(env.name()).isEqualTo("dev");
        assertThat(env.kerberos().ticketLifetime()).isEqualTo(Duration.ofHours(10));
        assertThat(env.kerberos().renewLifetime()).isEqualTo(Duration.ofDays(7));
        assertThat(env.dataset("payments").orElseThrow().partitioning()).isEqualTo(Partitioning.HOURLY);
        assertThat(env.endpoints()).isEqualTo(Endpoints.embedded());
        assertThat(env.person("alice").orElseThrow().groups()).containsExactly("analysts");
        assertThat(env.lakeWriter()).isEqualTo(LakeWriterSettings.DEFAULTS);
        assertThat(parse(VALID + "lake_writer: { roll_interval: 10s }\n").lakeWriter().rollInterval())
                .isEqualTo(Duration.ofSeconds(10));
        assertRefused(VALID + "lake_writer: { roll: 10s }\n", "lake_writer.roll: unknown key 'roll'");
    }

    @Test
    void theKeyRegistryIsKafkaUnlessTheDefinitionSaysDirectoryAndAnythingElseIsRefused() {
        assertThat(parse(VALID).keys()).isEqualTo(KeySettings.DEFAULTS);
        assertThat(KeySettings.DEFAULTS.registry()).isEqualTo(KeySettings.Registry.KAFKA);
        assertThat(parse(VALID + "keys: { registry: directory }\n").keys().registry()).isEqualTo(KeySettings.Registry.DIRECTORY);
        assertRefused(VALID + "keys: { registry: vault }\n", "keys.registry: 'vault' is not a key registry this build knows");
        assertRefused(VALID + "keys: { store: kafka }\n", "keys.store: unknown key 'store'");
    }

    @Test
    void unknownKeyIsRefusedWithLineAndAllowedKeys() {
        InvalidEnvironmentException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidEnvironmentException.class,
                () -> parse(VALID.replace("  realm: DEV.EXAMPLE.COM", "  realm: DEV.EXAMPLE.COM\n  relam: X")));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.column()).isEqualTo(3);
            assertThat(p.field()).isEqualTo("kerberos.relam");
            assertThat(p.message()).contains("unknown key 'relam'").contains("realm");
        });
    }

    @Test
    void missingRequiredField() {
        assertRefused(VALID.replace("datasets:\n  - { name: payments }\n", ""), "datasets: missing required field 'datasets'");
        assertRefused(VALID.replace("  - { name: alice, groups: [analysts] }", "  - { groups: [analysts] }"),
                "people[0].name: missing required field 'name'");
    }

    @Test
    void malformedRealm() {
        assertRefused(VALID.replace("DEV.EXAMPLE.COM", "dev.example.com"), "kerberos.realm: 'dev.example.com' is not a valid Kerberos realm");
    }

    @Test
    void malformedPrincipal() {
        assertRefused(VALID.replace("  etl: {}", "  etl: { principal: \"svc etl\" }"),
                "services.etl.principal: 'svc etl' is not a valid Kerberos principal");
        assertRefused(VALID.replace("  etl: {}", "  etl: { principal: svc-etl@OTHER.COM }"),
                "is in realm OTHER.COM, not this environment's realm DEV.EXAMPLE.COM");
    }

    @Test
    void duplicateNames() {
        assertRefused(VALID.replace("  - { name: carol, groups: [admins] }", "  - { name: alice, groups: [admins] }"),
                "people[1].name: duplicate person 'alice'");
        assertRefused(VALID.replace("  - { name: payments }", "  - { name: payments }\n  - { name: payments }"),
                "datasets[1].name: duplicate dataset 'payments'");
        assertRefused(VALID.replace("  - { name: analysts, role: analyst }", "  - { name: admins, role: analyst }"),
                "groups[1].name: duplicate group 'admins'");
        assertRefused(VALID.replace("  etl: {}", "  etl: {}\n  etl: {}"), "services.etl: key 'etl' appears twice");
    }

    @Test
    void danglingGroupReference() {
        assertRefused(VALID.replace("[analysts]", "[analyst]"),
                "people[0].groups[0]: unknown group 'analyst' (defined groups: admins, analysts)");
    }

    @Test
    void referenceToAnotherEnvironmentsResources() {
        assertRefused(VALID.replace("  etl: {}", "  etl: { principal: svc-etl-prod }"),
                "services.etl.principal: 'svc-etl-prod' refers to environment 'prod'");
        assertRefused(VALID + "endpoints:\n  kafka: { bootstrap: \"kafka-sit-1.example.com:9093\" }\n",
                "endpoints.kafka.bootstrap: 'kafka-sit-1.example.com:9093' refers to environment 'sit'");
        assertRefused(VALID.replace("  ingest: {}", "  ingest: { keytab: /etc/security/prod/ingest.keytab }"),
                "refers to environment 'prod'");
    }

    @Test
    void nameMustMatchFile() {
        assertRefused(VALID.replace("name: dev", "name: sit"), "name: environment 'sit' must be defined in a file named sit.yaml");
    }

    @Test
    void wrongTypesAndValues() {
        assertRefused(VALID.replace("  - { name: admins, role: admin }", "  - { name: admins, role: superuser }"),
                "groups[0].role: 'superuser' is not one of [admin, analyst, auditor]");
        assertRefused(VALID.replace("people:", "people: 3\nx:"), "people: expected a list");
        assertRefused(VALID.replace("  realm: DEV.EXAMPLE.COM", "  realm: DEV.EXAMPLE.COM\n  ticket_lifetime: ten hours"),
                "kerberos.ticket_lifetime: 'ten hours' is not a duration");
        assertRefused(VALID.replace("  realm: DEV.EXAMPLE.COM", "  realm: DEV.EXAMPLE.COM\n  ticket_lifetime: 2d\n  renew_lifetime: 1d"),
                "kerberos.renew_lifetime: must not be shorter than ticket_lifetime");
        assertRefused(VALID + "endpoints:\n  hdfs: { namenode: \"http://nn:8020\" }\n",
                "endpoints.hdfs.namenode: 'http://nn:8020' must be a hdfs://host:port URI");
    }

    @Test
    void unknownServiceAndMissingKeytabForRealKdc() {
        assertRefused(VALID.replace("  etl: {}", "  etl: {}\n  spark: {}"), "services.spark: unknown key 'spark'");
        assertRefused(VALID.replace("  realm: DEV.EXAMPLE.COM", "  realm: DEV.EXAMPLE.COM\n  kdcs: [kdc1.example.com:88]"),
                "services.ingest.keytab: required: kerberos.kdcs names a real KDC");
    }

    @Test
    void personMayNotTakeAServicePrincipalName() {
        assertRefused(VALID.replace("  - { name: carol, groups: [admins] }", "  - { name: svc-etl-dev, groups: [admins] }"),
                "people: person 'svc-etl-dev' has the name of the etl service's principal");
    }

    @Test
    void malformedYamlAndEmptyFile() {
        assertRefused("name: dev\n  kerberos: [", "not valid YAML");
        assertRefused("", "the file is empty");
    }

    @Test
    void allProblemsAreReportedAtOnce() {
        InvalidEnvironmentException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidEnvironmentException.class,
                () -> parse(VALID.replace("DEV.EXAMPLE.COM", "bad realm").replace("[analysts]", "[nobody]")));
        assertThat(e.problems()).hasSize(2);
    }

    @Test
    void realKdcDeploymentLoads() {
        Environment env = parse(VALID.replace("  realm: DEV.EXAMPLE.COM",
                        "  realm: DEV.EXAMPLE.COM\n  kdcs: [kdc1.example.com:88]\n  krb5_conf: /etc/krb5.conf")
                .replace("  ingest: {}", "  ingest: { keytab: /k/ingest.keytab }")
                .replace("  lake-writer: {}", "  lake-writer: { principal: lw-dev@DEV.EXAMPLE.COM, keytab: /k/lw.keytab }")
                .replace("  etl: {}", "  etl: { keytab: /k/etl.keytab }")
                .replace("  gateway: {}", "  gateway: { keytab: /k/knox.keytab }")
                .replace("  query: {}", "  query: { keytab: /k/query.keytab }")
                + "endpoints:\n  kafka: { bootstrap: \"b1.example.com:9093,b2.example.com:9093\" }\n"
                + "  hdfs: { namenode: \"hdfs://nn.example.com:8020\", webhdfs: \"https://nn.example.com:9871\" }\n"
                + "  ca_pem: /etc/pki/corp-ca.pem\n");
        assertThat(env.kerberos().embedded()).isFalse();
        assertThat(env.service(ServiceRole.LAKE_WRITER).principal()).isEqualTo("lw-dev");
        assertThat(env.service(ServiceRole.ETL).keytab()).contains(Path.of("/k/etl.keytab"));
        assertThat(env.endpoints().kafkaBootstrap()).contains("b1.example.com:9093,b2.example.com:9093");
        assertThat(env.endpoints().hdfsEmbedded()).isFalse();
        assertThat(env.endpoints().caPem()).contains(Path.of("/etc/pki/corp-ca.pem"));
    }

    @Test
    void realClusterEndpointsNeedTheirCa() {
        assertRefused(VALID + "endpoints:\n  kafka: { bootstrap: \"b1.example.com:9093\" }\n",
                "endpoints.ca_pem: required with real cluster endpoints");
    }

    @Test
    void catalogRefusesUnknownEnvironmentAndChecksAcrossFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("dev.yaml"), VALID.replace("  etl: {}", "  etl: { principal: svc-etl-qa }"));
        Files.writeString(dir.resolve("qa.yaml"), VALID.replace("name: dev", "name: qa"));
        EnvironmentCatalog catalog = EnvironmentCatalog.of(dir);
        assertThat(catalog.names()).containsExactly("dev", "qa");
        assertThatThrownBy(() -> catalog.load("dev")).hasMessageContaining("refers to environment 'qa'");
        assertThatThrownBy(() -> catalog.load("uat")).hasMessageContaining("unknown environment 'uat'")
                .hasMessageContaining("defines dev, qa");
    }
}
