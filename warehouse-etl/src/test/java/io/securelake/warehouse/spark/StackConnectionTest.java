package io.securelake.warehouse.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.contracts.ContractException;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contracts on Spark's class path (Jackson 2.15): what the core writes, a Spark JVM reads; garbage is refused. */
class StackConnectionTest {
    @TempDir
    Path dir;

    static CoreEndpoints.Builder endpoints() {
        return CoreEndpoints.builder().environment("dev").realm("DEV.SECURELAKE.LOCAL").krb5Conf("/h/krb5.conf")
                .keytabs(Map.of("svc-etl-dev@DEV.SECURELAKE.LOCAL", "/h/keytabs/svc-etl-dev.keytab"))
                .truststore("/h/tls/truststore.p12", "pw").caPem("/h/tls/ca.pem").kdc("localhost:1").kafkaBootstrap("localhost:2")
                .hdfsNameNode("hdfs://localhost:3").webHdfs("https://localhost:4/webhdfs/v1")
                .hdfsPrincipal("hdfs/localhost@DEV.SECURELAKE.LOCAL").kmsUri(null).pid(42);
    }

    @Test
    void readsWhatTheCoreWrites() {
        assertThat(ObjectMapper.class.getPackage().getImplementationVersion()).as("Spark's Jackson").startsWith("2.15");
        Path f = dir.resolve(CoreEndpoints.FILE_NAME);
        endpoints().build().writeTo(f);
        StackConnection c = StackConnection.read(f);
        assertThat(c.realm()).isEqualTo("DEV.SECURELAKE.LOCAL");
        assertThat(c.keytab("svc-etl-dev")).isEqualTo(Path.of("/h/keytabs/svc-etl-dev.keytab"));
        assertThat(c.truststore()).isEqualTo(Path.of("/h/tls/truststore.p12"));
        assertThat(c.nameNodePrincipal()).isEqualTo("hdfs/localhost@DEV.SECURELAKE.LOCAL");
    }

    @Test
    void refusesEndpointsWithoutTheTruststoreItNeeds() {
        Path f = dir.resolve(CoreEndpoints.FILE_NAME);
        endpoints().truststore(null, null).build().writeTo(f);
        assertThatThrownBy(() -> StackConnection.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(f + " lacks 'truststore' and 'truststore_password'");
    }

    @Test
    void refusesAnUnknownField() throws Exception {
        Path f = dir.resolve(CoreEndpoints.FILE_NAME);
        endpoints().build().writeTo(f);
        Files.writeString(f, Files.readString(f).replace("\"realm\"", "\"hdfs_nn\" : \"x\", \"realm\""));
        assertThatThrownBy(() -> StackConnection.read(f)).isInstanceOf(ContractException.class)
                .hasMessageStartingWith(f + ": field 'hdfs_nn': unknown field");
    }

    @Test
    void theQueryServersStatusRoundTrips() {
        Path f = dir.resolve("status.json");
        ServiceStatus<QueryServerFigures> s = ServiceStatus.of(new QueryServerFigures(10001, "jdbc:hive2://127.0.0.1:10001/default"))
                .environment("dev").state(ServiceState.RUNNING).startedAt(Instant.parse("2026-01-31T12:00:00Z")).build();
        s.writeTo(f, ServiceStatus.QUERY_SERVER);
        assertThat(ServiceStatus.readIfPresent(f, ServiceStatus.QUERY_SERVER)).contains(s);
    }
}
