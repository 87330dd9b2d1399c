package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.local.CoreStack;
import io.securelake.devstack.local.LocalStackLauncher;
import io.securelake.devstack.local.StackStatus;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.ClusterEndpoints;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An environment whose definition points at real clusters: the same client code reaches them by
 * configuration alone, with provided keytabs and no KDC of its own. Here a running core plays the
 * part of the organisation's clusters.
 */
class RealClusterConfigurationTest {

    @Test
    void clientsReachRealClustersFromTheDefinitionAlone(@TempDir Path base) throws Exception {
        Environment local = ShippedEnvironments.load("dev");
        try (CoreStack clusters = CoreStack.start(local, CoreJvm.prepare(local, new StackHome(base.resolve("clusters"))), System.out::println)) {
            CoreEndpoints e = clusters.endpoints();
            Path envs = Files.createDirectories(base.resolve("deployment-envs"));
            String ingest = local.names().servicePrincipal(ServiceRole.INGEST);
            String writer = local.names().servicePrincipal(ServiceRole.LAKE_WRITER);
            Files.writeString(envs.resolve("dev.yaml"), """
                    name: dev
                    kerberos:
                      realm: %s
                      kdcs: [%s]
                    groups: [{ name: admins, role: admin }]
                    people: [{ name: carol, groups: [admins] }]
                    services:
                      ingest:      { keytab: %s }
                      lake-writer: { keytab: %s }
                      etl:         { keytab: %s }
                      gateway:     { keytab: %s }
                      query:       { keytab: %s }
                    datasets: [{ name: payments }]
                    endpoints:
                      kafka: { bootstrap: "%s" }
                      hdfs:  { namenode: "%s", webhdfs: "%s" }
                      ca_pem: %s
                    """.formatted(e.realm(), e.kdc(), clusters.keytab(ingest), clusters.keytab(writer),
                    clusters.keytab(local.names().servicePrincipal(ServiceRole.ETL)),
                    clusters.keytab(local.names().servicePrincipal(ServiceRole.GATEWAY)),
                    clusters.keytab(local.names().servicePrincipal(ServiceRole.QUERY)),
                    e.kafkaBootstrap(), e.hdfsNameNode(), e.webHdfs().replace("/webhdfs/v1", ""), e.caPem()));
            Environment real = EnvironmentCatalog.of(envs).load("dev");

            assertThatThrownBy(() -> new LocalStackLauncher(real,
                    new io.securelake.devstack.local.PolicyEnforcement(envs, base), new StackHome(base.resolve("nothing")))
                    .up(Duration.ofSeconds(5), m -> { }))
                    .hasMessageContaining("points at real clusters");

            CoreEndpoints fromDefinition = ClusterEndpoints.of(real, Files.createDirectories(base.resolve("client")));
            assertThat(Files.readString(Path.of(fromDefinition.krb5Conf()))).contains(e.kdc());
            assertThat(fromDefinition.hdfsPrincipal()).isEqualTo("hdfs/_HOST@" + e.realm());
            assertThat(StackStatus.probe("dev", fromDefinition).healthy()).isTrue();

            // The test is the process: it points this JVM at the deployment's krb5.conf, as an application's main would.
            KerberosJvm.useKrb5Conf(Path.of(fromDefinition.krb5Conf()));
            StackClients clients = new StackClients(real, fromDefinition);
            String topic = real.names().rawTopic(real.dataset("payments").orElseThrow());
            try (var producer = new KafkaProducer<>(clients.kafkaProperties(ingest), new StringSerializer(), new StringSerializer())) {
                assertThat(producer.send(new ProducerRecord<>(topic, "k", "{}")).get().topic()).isEqualTo(topic);
            }
            Configuration conf = clients.hdfsConfiguration();
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(real.names().rawPath(real.datasets().get(0)) + "/real.txt");
            HadoopSecurity.doAs(clients.hdfsLogin(conf, writer), () -> {
                try (FileSystem fs = FileSystem.get(conf); var out = fs.create(file)) {
                    out.write("landed".getBytes(StandardCharsets.UTF_8));
                }
                return null;
            });
            String back = HadoopSecurity.doAs(clients.hdfsLogin(conf, writer), () -> {
                try (FileSystem fs = FileSystem.get(conf); var in = fs.open(file)) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            assertThat(back).isEqualTo("landed");
        }
    }
}
