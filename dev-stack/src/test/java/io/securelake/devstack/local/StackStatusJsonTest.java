package io.securelake.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code securelake status --json} keeps its shape now that the services' reports are typed. */
class StackStatusJsonTest {
    static final CoreEndpoints ENDPOINTS = CoreEndpoints.builder().environment("dev").realm("DEV.SECURELAKE.LOCAL")
            .krb5Conf("/h/dev/krb5.conf").keytabs(Map.of("alice@DEV.SECURELAKE.LOCAL", "/h/dev/keytabs/alice.keytab"))
            .truststore("/h/dev/tls/truststore.p12", "pw").caPem("/h/dev/tls/ca.pem").kdc("localhost:1")
            .kafkaBootstrap("localhost:2").hdfsNameNode("hdfs://localhost:3").webHdfs("https://localhost:4/webhdfs/v1")
            .hdfsPrincipal("hdfs/localhost@DEV.SECURELAKE.LOCAL").kmsUri("kms://https@localhost:5/kms").pid(42).build();

    static StackStatus status(Optional<ServiceReport<LakeWriterFigures>> writer, Optional<ServiceReport<QueryServerFigures>> query,
                              Optional<ServiceReport<GatewayFigures>> gateway) {
        return new StackStatus("dev", true, false, Optional.of(42L), Optional.of(ENDPOINTS), true, true, true,
                Optional.of(true), writer, query, gateway, Optional.empty());
    }

    @Test
    void reportedFiguresAppearAsBefore() {
        ServiceStatus<LakeWriterFigures> writer = ServiceStatus.of(LakeWriterFigures.builder("w1", "svc-lakewriter-dev@DEV.SECURELAKE.LOCAL")
                        .eventsCommitted(3500).eventsPerSecond(12.5).bytesPerSecond(2048.4).lag(0).filesCommitted(7).quarantined(1).build())
                .environment("dev").state(ServiceState.RUNNING).pid(77).startedAt(Instant.EPOCH).build();
        ServiceStatus<QueryServerFigures> query = ServiceStatus.of(new QueryServerFigures(10001, "jdbc:hive2://127.0.0.1:10001/default"))
                .environment("dev").state(ServiceState.RUNNING).pid(78).startedAt(Instant.EPOCH).build();
        ServiceStatus<GatewayFigures> gateway = ServiceStatus.of(GatewayFigures.builder().topology("dev")
                        .url("https://localhost:8443/gateway/dev").hiveJdbcUrl("jdbc:hive2://localhost:8443/;httpPath=gateway/dev/hive")
                        .webhdfsUrl("https://localhost:8443/gateway/dev/webhdfs/v1").ldapUrl("ldap://127.0.0.1:3890")
                        .truststore("/k/truststore.p12", "kpw").port(8443).ldapPort(3890).build())
                .environment("dev").state(ServiceState.RUNNING).pid(79).startedAt(Instant.EPOCH).build();
        ObjectNode isolation = Isolation.logicalOnly("runs as the user who ran 'up'").toJson().put("process_uid", 0);

        ObjectNode json = status(Optional.of(ServiceReport.reported(writer, Optional.empty())),
                Optional.of(ServiceReport.reported(query, Optional.of(isolation))),
                Optional.of(ServiceReport.reported(gateway, Optional.of(isolation)))).toJson();

        assertThat(json.path("healthy").asBoolean()).isTrue();
        assertThat(json.path("lake_writer").path("state").asText()).isEqualTo("running");
        assertThat(json.path("lake_writer").path("pid").asLong()).isEqualTo(77);
        assertThat(json.path("lake_writer").path("events_committed").asLong()).isEqualTo(3500);
        assertThat(json.path("lake_writer").path("bytes_per_sec").isIntegralNumber()).isTrue();
        assertThat(json.path("lake_writer").path("last_error").isNull()).isTrue();
        assertThat(json.path("hive").path("jdbc_url").asText()).contains("httpPath=gateway/dev/hive");
        assertThat(json.path("hive").path("direct_jdbc_url").asText()).isEqualTo("jdbc:hive2://127.0.0.1:10001/default");
        assertThat(json.path("hive").path("pid").asLong()).isEqualTo(78);
        assertThat(json.path("hive").path("isolation").asText()).isEqualTo(Isolation.LOGICAL_ONLY);
        assertThat(json.path("knox").path("url").asText()).isEqualTo("https://localhost:8443/gateway/dev");
        assertThat(json.path("knox").path("truststore_password").asText()).isEqualTo("kpw");
        assertThat(json.path("knox").path("healthy").asBoolean()).isTrue();
    }

    @Test
    void observedStatesAndUnreadableFilesAreUnhealthyWithTheReason() {
        StackStatus s = status(Optional.of(ServiceReport.observed(ServiceState.DIED)),
                Optional.of(ServiceReport.observed(ServiceState.NOT_RUNNING)),
                Optional.of(ServiceReport.unreadable("/h/dev/knox/ready.json: field 'state': 'runing' is not a service state",
                        Optional.empty())));
        ObjectNode json = s.toJson();
        assertThat(s.healthy()).isFalse();
        assertThat(json.path("lake_writer").path("state").asText()).isEqualTo("died");
        assertThat(json.path("lake_writer").has("events_committed")).isFalse();
        assertThat(json.path("hive").path("state").asText()).isEqualTo("not running");
        assertThat(json.path("knox").path("state").asText()).isEqualTo("unreadable status");
        assertThat(json.path("knox").path("problem").asText()).contains("ready.json: field 'state'");
        assertThat(s.hiveJdbcUrl()).isEmpty();
    }

    private static final Instant T = Instant.parse("2026-12-07T01:15:00Z");

    private static Supervision supervising(io.securelake.contracts.supervision.SupervisedChild... children) {
        return new Supervision(true, Optional.of(new io.securelake.contracts.supervision.SupervisionStatus("dev", 4242, T, T,
                true, false, null, java.util.List.of(children))));
    }

    private static io.securelake.contracts.supervision.SupervisedChild child(String name,
            io.securelake.contracts.supervision.ChildState state, Long pid, int restarts, String problem) {
        return new io.securelake.contracts.supervision.SupervisedChild(name, state, pid, pid == null ? null : T, restarts,
                new io.securelake.contracts.supervision.ChildExit(T.minusSeconds(5), 77, 137, "killed by signal 9 (SIGKILL)"),
                state == io.securelake.contracts.supervision.ChildState.BACKING_OFF ? T.plusSeconds(1) : null, problem);
    }

    @Test
    void eachSupervisedProcessShowsItsRestartsLastExitAndUptime() {
        StackStatus s = status(Optional.empty(), Optional.empty(), Optional.empty()).withSupervision(supervising(
                child("kafka", io.securelake.contracts.supervision.ChildState.RUNNING, 42L, 0, null),
                child("namenode", io.securelake.contracts.supervision.ChildState.RUNNING, 43L, 2, null),
                child("lake-writer", io.securelake.contracts.supervision.ChildState.RUNNING, 78L, 1, null)));
        s = s.withLakeWriter(Optional.of(ServiceReport.observed(ServiceState.NOT_RUNNING)));
        ObjectNode json = s.toJson();
        assertThat(json.path("supervisor").path("running").asBoolean()).isTrue();
        assertThat(json.path("supervisor").path("pid").asLong()).isEqualTo(4242);
        assertThat(json.path("kafka").path("supervision").path("restarts").asInt()).isZero();
        assertThat(json.path("kafka").path("supervision").path("pid").asLong()).isEqualTo(42);
        assertThat(json.path("hdfs").path("processes").path("namenode").path("supervision").path("restarts").asInt()).isEqualTo(2);
        assertThat(json.path("hdfs").path("processes").has("datanode")).as("no report, no section").isFalse();
        ObjectNode writer = (ObjectNode) json.path("lake_writer").path("supervision");
        assertThat(writer.path("state").asText()).isEqualTo("running");
        assertThat(writer.path("restarts").asInt()).isEqualTo(1);
        assertThat(writer.path("up_since").asText()).isEqualTo(T.toString());
        assertThat(writer.path("uptime_seconds").asLong()).isPositive();
        assertThat(writer.path("last_exit").path("exit_code").asInt()).isEqualTo(137);
        assertThat(writer.path("last_exit").path("cause").asText()).isEqualTo("killed by signal 9 (SIGKILL)");
    }

    /** A restarted child can report itself ready before its supervisor has taken it back: not healthy yet. */
    @Test
    void aStackIsHealthyOnlyOnceItsSupervisorHasEveryChildRunning() {
        StackStatus starting = status(Optional.empty(), Optional.empty(), Optional.empty()).withSupervision(supervising(
                child("kdc", io.securelake.contracts.supervision.ChildState.STARTING, null, 0, null)));
        assertThat(starting.healthy()).isFalse();
        StackStatus running = status(Optional.empty(), Optional.empty(), Optional.empty()).withSupervision(supervising(
                child("kdc", io.securelake.contracts.supervision.ChildState.RUNNING, 42L, 1, null)));
        assertThat(running.healthy()).isTrue();
    }

    @Test
    void aStackWithoutSupervisorIsUnhealthyAndSaysHowToFixIt() {
        StackStatus s = status(Optional.empty(), Optional.empty(), Optional.empty())
                .withSupervision(new Supervision(false, Optional.empty()));
        assertThat(s.healthy()).isFalse();
        assertThat(s.toJson().path("problem").asText()).contains("no supervisor runs").contains("securelake up --env dev");
    }

    @Test
    void whoeverNeedsAProcessThatIsDownIsToldWhetherItIsRestartingOrGivenUp() {
        StackStatus restarting = status(Optional.empty(), Optional.empty(), Optional.empty()).withSupervision(supervising(
                child("knox", io.securelake.contracts.supervision.ChildState.BACKING_OFF, null, 0, null)));
        assertThat(restarting.unavailable("Knox gateway", "knox"))
                .isEqualTo("the Knox gateway of dev is restarting (last exit: killed by signal 9 (SIGKILL)): try again in a moment");
        StackStatus failed = status(Optional.empty(), Optional.empty(), Optional.empty()).withSupervision(supervising(
                child("knox", io.securelake.contracts.supervision.ChildState.FAILED, null, 5, "knox ended 6 times within 10 min")));
        assertThat(failed.unavailable("Knox gateway", "knox"))
                .isEqualTo("the Knox gateway of dev is down and no longer restarted: knox ended 6 times within 10 min");
        StackStatus brokerRestarting = status(Optional.empty(), Optional.empty(), Optional.empty()).withSupervision(supervising(
                child("kdc", io.securelake.contracts.supervision.ChildState.RUNNING, 98L, 0, null),
                child("kafka", io.securelake.contracts.supervision.ChildState.BACKING_OFF, null, 1, null),
                child("namenode", io.securelake.contracts.supervision.ChildState.FAILED, null, 5, "namenode ended 6 times"),
                child("knox", io.securelake.contracts.supervision.ChildState.RUNNING, 99L, 0, null)));
        java.util.Set<io.securelake.contracts.supervision.CoreComponent> producer = java.util.Set.of(
                io.securelake.contracts.supervision.CoreComponent.KDC, io.securelake.contracts.supervision.CoreComponent.KAFKA);
        assertThat(brokerRestarting.coreUnavailable("stack", producer)).isEqualTo("the stack of dev is restarting: its "
                + "Kafka broker (last exit: killed by signal 9 (SIGKILL)): try again in a moment");
        assertThat(brokerRestarting.notRunning(java.util.Set.of(io.securelake.contracts.supervision.CoreComponent.KDC)))
                .as("what a client does not need is not its business").isEmpty();
        assertThat(brokerRestarting.coreUnavailable("stack", java.util.Set.of(io.securelake.contracts.supervision.CoreComponent.NAMENODE)))
                .isEqualTo("the stack of dev is down and no longer restarted: its HDFS NameNode: namenode ended 6 times");
        StackStatus unsupervised = status(Optional.empty(), Optional.empty(), Optional.empty());
        assertThat(unsupervised.coreUnavailable("stack", producer))
                .isEqualTo("the stack of dev is not running: start the stack with 'bin/securelake up --env dev'");
    }
}
