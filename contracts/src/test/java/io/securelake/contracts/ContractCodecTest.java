package io.securelake.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractCodecTest {
    @TempDir
    Path dir;

    static CoreEndpoints endpoints() {
        return CoreEndpoints.builder().environment("dev").realm("DEV.SECURELAKE.LOCAL").krb5Conf("/s/krb5.conf")
                .keytabs(Map.of("svc-lakewriter-dev@DEV.SECURELAKE.LOCAL", "/s/keytabs/svc-lakewriter-dev.keytab"))
                .truststore("/s/tls/truststore.p12", "secret").caPem("/s/tls/ca.pem").kdc("localhost:8800")
                .kafkaBootstrap("localhost:9093").hdfsNameNode("hdfs://localhost:8020")
                .webHdfs("https://localhost:9871/webhdfs/v1").hdfsPrincipal("hdfs/localhost@DEV.SECURELAKE.LOCAL")
                .kmsUri("kms://https@localhost:9600/kms").pid(4242).build();
    }

    static ServiceStatus<LakeWriterFigures> writerStatus() {
        return ServiceStatus.of(LakeWriterFigures.builder("k2x", "svc-lakewriter-dev@DEV.SECURELAKE.LOCAL")
                        .eventsCommitted(120_000).bytesCommitted(98_000_000).eventsPerSecond(51234.5).lag(0)
                        .filesCommitted(37).batchesCommitted(30).quarantined(1).openFiles(3)
                        .lastCommitAt(Instant.parse("2026-01-31T12:00:00Z"))
                        .partition(LakeWriterFigures.PartitionFigures.of("dev.raw.payments", 0).withNextOffset(40210).withLag(0))
                        .build())
                .environment("dev").state(ServiceState.RUNNING).pid(4242).startedAt(Instant.parse("2026-01-31T11:00:00Z"))
                .updatedAt(Instant.parse("2026-01-31T12:00:05Z")).build();
    }

    /** The file's text with one replacement, to break it the way a wrong writer would. */
    private Path broken(byte[] json, String from, String to) throws Exception {
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains(from);
        Path f = dir.resolve("broken.json");
        Files.writeString(f, text.replace(from, to));
        return f;
    }

    @Test
    void endpointsRoundTrip() {
        Path f = dir.resolve(CoreEndpoints.FILE_NAME);
        endpoints().writeTo(f);
        assertThat(CoreEndpoints.read(f)).isEqualTo(endpoints());
        assertThat(CoreEndpoints.readIfPresent(dir.resolve("absent.json"))).isEmpty();
    }

    @Test
    void endpointsAreOwnerOnlyAndVersioned() throws Exception {
        Path f = dir.resolve(CoreEndpoints.FILE_NAME);
        endpoints().writeTo(f);
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(f)).startsWith("{\n  \"endpoints_version\" : 1,");
    }

    @Test
    void statusRoundTripForEachService() {
        Path f = dir.resolve("status.json");
        writerStatus().writeTo(f, ServiceStatus.LAKE_WRITER);
        assertThat(ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER)).contains(writerStatus());

        ServiceStatus<QueryServerFigures> query = ServiceStatus.of(new QueryServerFigures(10001, "jdbc:hive2://127.0.0.1:10001/default"))
                .environment("dev").state(ServiceState.RUNNING).startedAt(Instant.now()).build();
        query.writeTo(f, ServiceStatus.QUERY_SERVER);
        assertThat(ServiceStatus.readIfPresent(f, ServiceStatus.QUERY_SERVER)).contains(query);
        assertThat(query.pid()).isEqualTo(ProcessHandle.current().pid());

        ServiceStatus<GatewayFigures> gateway = ServiceStatus.of(GatewayFigures.builder().topology("dev")
                        .url("https://localhost:8443/gateway/dev").hiveJdbcUrl("jdbc:hive2://localhost:8443/")
                        .webhdfsUrl("https://localhost:8443/gateway/dev/webhdfs/v1").ldapUrl("ldap://127.0.0.1:3890")
                        .truststore("/k/truststore.p12", "pw").port(8443).ldapPort(3890).build())
                .environment("dev").state(ServiceState.RUNNING).startedAt(Instant.now()).build();
        Path ready = dir.resolve(ServiceKind.GATEWAY.statusFileName());
        gateway.writeTo(ready, ServiceStatus.GATEWAY);
        assertThat(ServiceStatus.readIfPresent(ready, ServiceStatus.GATEWAY)).contains(gateway);
        assertThat(gateway.toString()).doesNotContain("pw,");
    }

    @Test
    void unknownFieldIsRefusedNamingFileAndField() throws Exception {
        Path f = broken(ContractCodec.toJson(CoreEndpoints.CONTRACT, endpoints()), "\"realm\"", "\"realm_name\" : \"x\", \"realm\"");
        assertThatThrownBy(() -> CoreEndpoints.read(f)).isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": field 'realm_name': unknown field")
                .satisfies(e -> assertThat(((ContractException) e).field()).contains("realm_name"));
    }

    @Test
    void unknownNestedFieldIsRefusedWithItsPath() throws Exception {
        Path f = broken(ContractCodec.toJson(ServiceStatus.LAKE_WRITER, writerStatus()), "\"open_batch_events\"",
                "\"open_batches\" : 1, \"open_batch_events\"");
        assertThatThrownBy(() -> ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER))
                .isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": field 'figures.partitions[0].open_batches': unknown field");
    }

    @Test
    void missingFieldIsRefusedNamingIt() throws Exception {
        Path f = broken(ContractCodec.toJson(CoreEndpoints.CONTRACT, endpoints()),
                "  \"kafka_bootstrap\" : \"localhost:9093\",\n", "");
        assertThatThrownBy(() -> CoreEndpoints.read(f)).isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": field 'kafka_bootstrap': missing");
    }

    @Test
    void nullWhereAValueIsRequiredIsRefused() throws Exception {
        Path f = broken(ContractCodec.toJson(ServiceStatus.LAKE_WRITER, writerStatus()), "\"writer_id\" : \"k2x\"", "\"writer_id\" : null");
        assertThatThrownBy(() -> ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER))
                .isInstanceOf(ContractException.class)
                .hasMessage(f + ": field 'figures.writer_id': is required");
    }

    @Test
    void wrongStateStringIsRefusedNamingTheStates() throws Exception {
        Path f = broken(ContractCodec.toJson(ServiceStatus.LAKE_WRITER, writerStatus()), "\"running\"", "\"runing\"");
        assertThatThrownBy(() -> ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining(f + ": field 'state': ")
                .hasMessageContaining("'runing' is not a service state (one of: starting, running, degraded, stopped");
    }

    @Test
    void aStateOnlyTheLauncherObservesIsRefusedInAStatusFile() throws Exception {
        Path f = broken(ContractCodec.toJson(ServiceStatus.LAKE_WRITER, writerStatus()), "\"running\"", "\"died\"");
        assertThatThrownBy(() -> ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER))
                .isInstanceOf(ContractException.class)
                .hasMessage(f + ": field 'state': 'died' is what the launcher observes, no service reports it");
    }

    @Test
    void aNumberAsTextIsRefused() throws Exception {
        Path f = broken(ContractCodec.toJson(CoreEndpoints.CONTRACT, endpoints()), "\"pid\" : 4242", "\"pid\" : \"4242\"");
        assertThatThrownBy(() -> CoreEndpoints.read(f)).isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": field 'pid': ");
    }

    @Test
    void anotherVersionIsRefusedSayingSo() throws Exception {
        Path f = broken(ContractCodec.toJson(ServiceStatus.LAKE_WRITER, writerStatus()), "\"status_version\" : 2", "\"status_version\" : 1");
        assertThatThrownBy(() -> ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER))
                .isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": field 'status_version': written as version 1, this securelake reads version 2 only: the writer is older");
        Path g = broken(ContractCodec.toJson(CoreEndpoints.CONTRACT, endpoints()), "  \"endpoints_version\" : 1,\n", "");
        assertThatThrownBy(() -> CoreEndpoints.read(g)).isInstanceOf(ContractException.class)
                .hasMessageStartingWith(g + ": field 'endpoints_version': missing");
    }

    @Test
    void anotherServicesFiguresAreRefused() throws Exception {
        Path f = broken(ContractCodec.toJson(ServiceStatus.LAKE_WRITER, writerStatus()), "\"service\" : \"lake-writer\"",
                "\"service\" : \"gateway\"");
        assertThatThrownBy(() -> ServiceStatus.readIfPresent(f, ServiceStatus.LAKE_WRITER))
                .isInstanceOf(ContractException.class)
                .hasMessage(f + ": field 'figures': are a lake-writer's, the status is the gateway's");
    }

    @Test
    void notJsonIsRefused() throws Exception {
        Path f = dir.resolve("half.json");
        Files.writeString(f, "{\"endpoints_version\": 1, \"environment\": \"de");
        assertThatThrownBy(() -> CoreEndpoints.read(f)).isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": not a JSON document");
    }

    @Test
    void buildersCheckAsReadingDoes() {
        assertThatThrownBy(() -> endpoints().toBuilder().truststore("/t.p12", null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("field 'truststore_password' is required with truststore");
        assertThatThrownBy(() -> LakeWriterFigures.builder("w", "p").lag(-2).build())
                .hasMessage("field 'lag' must be >= -1 (-1: unknown), got -2");
        assertThat(endpoints().toBuilder().pid(CoreEndpoints.NO_PROCESS).kmsUri(null).build().kmsUri()).isNull();
    }
}
