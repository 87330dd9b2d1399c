package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.devstack.local.CoreStack;
import io.securelake.envs.Environment;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.kerberos.KerberosDiagnostics;
import io.securelake.kerberos.KerberosProblem;
import io.securelake.operations.UserFacingErrors;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka and HDFS refuse every client that is not properly authenticated, and the platform says why
 * in words a user can act on.
 */
class RefusalsTest {
    @TempDir
    static Path base;
    static CoreStack stack;
    static StackClients clients;
    static Environment env;
    static String topic;

    @BeforeAll
    static void start() {
        env = ShippedEnvironments.load("dev");
        stack = CoreStack.start(env, CoreJvm.prepare(env, new StackHome(base.resolve("dev"))), System.out::println);
        clients = stack.clients();
        topic = env.names().rawTopic(env.dataset("payments").orElseThrow());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** Asks the broker for the topic's partitions, which needs an authenticated, authorised connection. */
    private static Throwable metadataFailure(Properties props) {
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "8000");
        return catchThrowable(() -> {
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.partitionsFor(topic);
            }
        });
    }

    @Test
    void kafkaClientWithoutTicketIsRefused(@TempDir Path dir) {
        Properties props = clients.kafka().ticketCacheProperties();
        props.put(SaslConfigs.SASL_JAAS_CONFIG, "com.sun.security.auth.module.Krb5LoginModule required "
                + "useTicketCache=true doNotPrompt=true ticketCache=\"" + dir.resolve("no-such-cache") + "\";");
        Throwable refused = metadataFailure(props);
        assertThat(refused).isNotNull();
        assertThat(KerberosDiagnostics.classify(refused)).isEqualTo(KerberosProblem.NO_TICKET);
        assertThat(UserFacingErrors.explain(refused)).startsWith("no Kerberos ticket");
    }

    @Test
    void staleKeytabIsRefusedByKafkaAndHdfs(@TempDir Path dir) throws Exception {
        String user = "stale-user";
        stack.kdc().createPrincipal(user);
        Path keytab = stack.kdc().exportKeytab(user, dir.resolve("stale.keytab"));
        // The principal is re-created, so its key changes and the exported keytab goes stale.
        stack.kdc().deletePrincipal(user);
        stack.kdc().createPrincipal(user);

        Throwable kafka = metadataFailure(clients.kafka().clientProperties(stack.qualify(user), keytab));
        assertThat(KerberosDiagnostics.classify(kafka)).isEqualTo(KerberosProblem.PREAUTH_FAILED);
        assertThat(UserFacingErrors.explain(kafka)).contains("keytab whose key is no longer the KDC's");

        Configuration conf = clients.hdfsConfiguration();
        Throwable hdfs = catchThrowable(() -> HadoopSecurity.login(conf, stack.qualify(user), keytab));
        assertThat(KerberosDiagnostics.classify(hdfs)).isIn(KerberosProblem.PREAUTH_FAILED, KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB);
        assertThat(UserFacingErrors.explain(hdfs)).contains("keytab");
    }

    @Test
    void plaintextKafkaClientGetsNoAnswerAndIsToldWhy() {
        Properties props = new Properties();
        props.put("bootstrap.servers", clients.endpoints().kafkaBootstrap());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        Throwable refused = metadataFailure(props);
        assertThat(refused).isInstanceOf(TimeoutException.class);
        assertThat(UserFacingErrors.explain(refused)).contains("SASL_SSL with GSSAPI").contains("PLAINTEXT");
    }

    @Test
    void wrongSaslMechanismIsRefused() {
        Properties props = clients.kafka().ticketCacheProperties();
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"guess\";");
        Throwable refused = metadataFailure(props);
        assertThat(refused).isInstanceOf(UnsupportedSaslMechanismException.class);
        assertThat(UserFacingErrors.explain(refused)).contains("accept only GSSAPI");
    }

    @Test
    void unknownServicePrincipalIsExplained() {
        Properties props = clients.kafkaProperties("alice");
        // The client asks the KDC for <service>/<host it dials>; a wrong service name (like a wrong host
        // name) asks for a principal the KDC does not have. (Dialling 127.0.0.1 does not provoke it: the
        // client reverse-resolves it to localhost.)
        props.put(SaslConfigs.SASL_KERBEROS_SERVICE_NAME, "kafka-wrong");
        Throwable refused = metadataFailure(props);
        assertThat(refused).isInstanceOf(SaslAuthenticationException.class);
        assertThat(KerberosDiagnostics.classify(refused)).isEqualTo(KerberosProblem.UNKNOWN_SERVICE_PRINCIPAL);
        assertThat(UserFacingErrors.explain(refused)).startsWith("Kafka refused authentication")
                .contains("host name they dial");
    }

    @Test
    void hdfsRefusesClientWithoutCredentials() {
        Configuration conf = clients.hdfsConfiguration();
        UserGroupInformation nobody = UserGroupInformation.createRemoteUser("nobody");
        Throwable refused = catchThrowable(() -> HadoopSecurity.doAs(nobody, () -> {
            try (FileSystem fs = FileSystem.get(conf)) {
                return fs.listStatus(new org.apache.hadoop.fs.Path("/lake"));
            }
        }));
        assertThat(refused).isNotNull();
        assertThat(UserFacingErrors.explain(refused)).startsWith("HDFS refused an unauthenticated client");
    }

    @Test
    void hdfsRefusesAuthenticatedUserWithoutRightsAndNamesWhatWasRefused() {
        Configuration conf = clients.hdfsConfiguration();
        UserGroupInformation mallory = clients.hdfsLogin(conf, "mallory");
        Throwable refused = catchThrowable(() -> HadoopSecurity.doAs(mallory, () -> {
            try (FileSystem fs = FileSystem.get(conf)) {
                return fs.mkdirs(new org.apache.hadoop.fs.Path(env.names().curatedZone() + "/intrusion"));
            }
        }));
        // Deny by default: no policy lets mallory even traverse the namespace, and the refusal says so.
        assertThat(UserFacingErrors.explain(refused))
                .startsWith("HDFS refused the request: Permission denied: user=mallory")
                .contains("access=").contains("path=")
                .contains("not granted by the environment's HDFS policies")
                .doesNotContain("\tat ");
    }

    @Test
    void keytabsHoldOnlyTheirOwnPrincipalAndAreOwnerOnly() throws Exception {
        for (var entry : stack.keytabs().entrySet()) {
            Path keytab = entry.getValue();
            assertThat(Files.getPosixFilePermissions(keytab)).extracting(Object::toString)
                    .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            var principals = org.apache.kerby.kerberos.kerb.keytab.Keytab.loadKeytab(keytab.toFile()).getPrincipals();
            assertThat(principals).extracting(Object::toString).containsOnly(entry.getKey());
        }
    }
}
