package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.local.CoreStack;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.operations.connect.KafkaConnection;
import io.securelake.operations.connect.StackHome;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real core (KDC, Kafka KRaft with SASL/GSSAPI over TLS, Kerberized HDFS) in this JVM. */
class CoreStackTest {
    @TempDir
    static Path base;
    static CoreStack stack;
    static Environment env;
    static Dataset payments;
    static boolean kerberosOnAfterStart;

    @BeforeAll
    static void start() {
        env = ShippedEnvironments.load("dev");
        payments = env.dataset("payments").orElseThrow();
        stack = CoreStack.start(env, CoreJvm.prepare(env, new StackHome(base.resolve("dev"))), System.out::println);
        // Before any client call: Hadoop security is JVM-wide, and the in-process NameNode and DataNode
        // rely on it (a component once switched it to simple, and DataNodes then refused SASL clients).
        kerberosOnAfterStart = UserGroupInformation.isSecurityEnabled();
    }

    @Test
    void theCoreLeavesHadoopSecurityOnForItsServers() {
        assertThat(kerberosOnAfterStart).isTrue();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private Properties clientAs(String principal) {
        return stack.clients().kafkaProperties(principal);
    }

    @Test
    void ingestPrincipalProducesAndLakeWriterConsumes() throws Exception {
        String topic = env.names().rawTopic(payments);
        Properties producerProps = clientAs(env.names().servicePrincipal(ServiceRole.INGEST));
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "event-" + i)).get();
            }
        }
        Properties consumerProps = clientAs(env.names().servicePrincipal(ServiceRole.LAKE_WRITER));
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, env.names().lakeWriterConsumerGroup());
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        assertThat(values).containsExactlyInAnyOrder("event-0", "event-1", "event-2", "event-3", "event-4",
                "event-5", "event-6", "event-7", "event-8", "event-9");
    }

    @Test
    void everyLoginGrantedOrRefusedByTheKdcIsInTheAuditTrail() throws Exception {
        java.time.Instant since = java.time.Instant.now();
        // A wrong password for dave: the KDC refuses, nobody else would ever see it.
        javax.security.auth.login.Configuration passwordLogin = new javax.security.auth.login.Configuration() {
            @Override
            public javax.security.auth.login.AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return new javax.security.auth.login.AppConfigurationEntry[] {
                        new javax.security.auth.login.AppConfigurationEntry(io.securelake.kerberos.Jaas.KRB5_LOGIN_MODULE,
                                javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                                java.util.Map.of("principal", "dave@" + env.realm()))};
            }
        };
        var wrong = new javax.security.auth.login.LoginContext("dave", new javax.security.auth.Subject(), callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof javax.security.auth.callback.NameCallback n) {
                    n.setName("dave@" + env.realm());
                } else if (cb instanceof javax.security.auth.callback.PasswordCallback pw) {
                    pw.setPassword("not-his-password".toCharArray());
                }
            }
        }, passwordLogin);
        assertThatThrownBy(wrong::login).isInstanceOf(javax.security.auth.login.LoginException.class)
                .hasMessageStartingWith("Integrity check on decrypted field failed (31)"); // the KDC's answer to a wrong password
        // and with his keytab: granted
        try (var ok = io.securelake.kerberos.KeytabLogin.login("dave@" + env.realm(), stack.keytab("dave"))) {
            assertThat(ok.subject().getPrincipals()).isNotEmpty();
        }

        var search = io.securelake.audit.AuditSearch.in(stack.home().auditDir().resolve("kdc"));
        var query = io.securelake.audit.AuditQuery.all().withStage("kdc").withUser("dave").withSince(since);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        List<io.securelake.audit.AuditRecord> found = search.find(query);
        while (found.size() < 2 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(100).toNanos());
            found = search.find(query);
        }
        assertThat(found).anySatisfy(r -> {
            assertThat(r.result()).isEqualTo(io.securelake.audit.AuditRecord.Result.DENIED);
            assertThat(r.action()).isEqualTo("authenticate");
            assertThat(r.resource()).isEqualTo("principal=krbtgt/" + env.realm());
            assertThat(r.reason()).contains("login refused").contains("wrong password or key");
            assertThat(r.clientAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(found).anySatisfy(r -> {
            assertThat(r.result()).isEqualTo(io.securelake.audit.AuditRecord.Result.ALLOWED);
            assertThat(r.action()).isEqualTo("authenticate");
        });
    }

    @Test
    void authenticatedUserWithoutRightsIsRefusedByKafka() {
        Properties props = clientAs("mallory");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(env.names().rawTopic(payments), "k", "v")).get())
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void lakeWriterWritesRawZoneEtlReadsItAnalystIsRefused() throws Exception {
        Configuration conf = stack.clients().hdfsConfiguration();
        String lakeWriter = env.names().servicePrincipal(ServiceRole.LAKE_WRITER);
        UserGroupInformation writer = HadoopSecurity.login(conf, stack.qualify(lakeWriter), stack.keytab(lakeWriter));
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(env.names().rawPath(payments) + "/dt=2026-11-25/hr=01/part-0.jsonl");
        HadoopSecurity.doAs(writer, () -> {
            try (FileSystem fs = FileSystem.get(conf); FSDataOutputStream out = fs.create(file)) {
                out.write("{\"event_id\":1}\n".getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
        String etl = env.names().servicePrincipal(ServiceRole.ETL);
        UserGroupInformation reader = HadoopSecurity.login(conf, stack.qualify(etl), stack.keytab(etl));
        String content = HadoopSecurity.doAs(reader, () -> {
            try (FileSystem fs = FileSystem.get(conf); var in = fs.open(file)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        assertThat(content).isEqualTo("{\"event_id\":1}\n");

        UserGroupInformation alice = HadoopSecurity.login(conf, stack.qualify("alice"), stack.keytab("alice"));
        assertThatThrownBy(() -> HadoopSecurity.doAs(alice, () -> {
            try (FileSystem fs = FileSystem.get(conf); var in = fs.open(file)) {
                return in.read();
            }
        })).isInstanceOf(AccessControlException.class).hasMessageContaining("user=alice");
    }

    @Test
    void kafkaConnectionIsSaslSsl() {
        KafkaConnection c = stack.clients().kafka();
        assertThat(c.bootstrap()).startsWith("localhost:");
        assertThat(clientAs("alice").getProperty("security.protocol")).isEqualTo("SASL_SSL");
    }
}
