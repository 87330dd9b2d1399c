package io.securelake.devstack.kafka;

import io.securelake.kerberos.Jaas;
import io.securelake.operations.connect.KafkaConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka KRaft node in this JVM. Every listener, the clients' and the KRaft controller's, speaks
 * SASL/GSSAPI over TLS with the stack's certificate; the node's own controller client trusts the stack's
 * CA through the same truststore. The configured authorizer (Ranger's engine on the local stack) denies
 * whatever no policy allows.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    static final String CLIENT_LISTENER = "SASL_SSL";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The one security protocol of every listener. */
    static final String SECURITY_PROTOCOL = "SASL_SSL";

    private final KafkaBrokerSettings settings;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(KafkaBrokerSettings settings, KafkaRaftServer server) {
        this.settings = settings;
        this.server = server;
    }

    /** Formats storage on first start, then starts; returns once the broker is unfenced. */
    public static EmbeddedKafkaBroker start(KafkaBrokerSettings settings) {
        Properties props = brokerProperties(settings);
        format(settings);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new IllegalStateException("Kafka broker failed to start on " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
        return new EmbeddedKafkaBroker(settings, server);
    }

    public String bootstrap() {
        return settings.host() + ":" + settings.port();
    }

    static Properties brokerProperties(KafkaBrokerSettings s) {
        String jaas = Jaas.keytabLoginModule(s.principal(), s.keytab());
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + s.host() + ":" + s.controllerPort());
        p.put("listeners", CLIENT_LISTENER + "://" + s.host() + ":" + s.port() + ","
                + CONTROLLER_LISTENER + "://" + s.host() + ":" + s.controllerPort());
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + s.host() + ":" + s.port());
        // The controller listener carries metadata and the quorum's votes, authenticated by Kerberos; on a
        // loopback-only stack it was left in clear, but the same code points at real clusters where it would
        // cross the network, so it is TLS too (the ssl.* settings below are listener-independent).
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":" + SECURITY_PROTOCOL + ","
                + CONTROLLER_LISTENER + ":" + SECURITY_PROTOCOL);
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("sasl.enabled.mechanisms", "GSSAPI");
        p.put("sasl.mechanism.inter.broker.protocol", "GSSAPI");
        p.put("sasl.mechanism.controller.protocol", "GSSAPI");
        p.put("sasl.kerberos.service.name", KafkaConnection.SERVICE_NAME);
        p.put("sasl.kerberos.min.time.before.relogin", Long.toString(s.minTimeBeforeRelogin().toMillis()));
        p.put("listener.name.sasl_ssl.gssapi.sasl.jaas.config", jaas);
        p.put("listener.name.controller.gssapi.sasl.jaas.config", jaas);
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", s.tls().keystore().toString());
        p.put("ssl.keystore.password", s.tls().keystorePassword());
        p.put("ssl.key.password", s.tls().keystorePassword());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", s.tls().truststore().toString());
        p.put("ssl.truststore.password", s.tls().truststorePassword());
        p.put("ssl.client.auth", "none");
        // Kafka's default, stated so no listener's client (the controller's included) skips host name checks.
        p.put("ssl.endpoint.identification.algorithm", "https");
        // Deny by default: only the authorizer's policies grant anything.
        p.put("allow.everyone.if.no.acl.found", "false");
        p.putAll(s.authorizerProps());
        p.put("super.users", s.superUsers().stream().sorted().map(u -> "User:" + u).collect(Collectors.joining(";")));
        p.put("log.dirs", logDir(s).toString());
        p.put("metadata.log.dir", metadataDir(s).toString());
        p.put("auto.create.topics.enable", "false");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        return p;
    }

    private static void format(KafkaBrokerSettings s) {
        try {
            Files.createDirectories(logDir(s));
            Files.createDirectories(metadataDir(s));
            if (Files.exists(metadataDir(s).resolve("meta.properties"))) {
                return; // formatted on an earlier start: keep the data
            }
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir(s).toString(), metadataDir(s).toString()))
                    .setMetadataLogDirectory(metadataDir(s).toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka storage in " + s.dataDir(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + s.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static Path logDir(KafkaBrokerSettings s) {
        return s.dataDir().resolve("logs");
    }

    private static Path metadataDir(KafkaBrokerSettings s) {
        return s.dataDir().resolve("metadata");
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
