package io.securelake.devstack.local;

import io.securelake.contracts.supervision.CoreComponent;
import io.securelake.devstack.audit.KdcAudit;
import io.securelake.devstack.hdfs.EmbeddedDataNode;
import io.securelake.devstack.hdfs.EmbeddedHdfs;
import io.securelake.devstack.hdfs.EmbeddedNameNode;
import io.securelake.devstack.hdfs.HdfsNamespace;
import io.securelake.devstack.kafka.EmbeddedKafkaBroker;
import io.securelake.devstack.kafka.KafkaNamespace;
import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.RealmSecrets;
import io.securelake.devstack.kms.EmbeddedKms;
import io.securelake.devstack.kms.KmsKeys;
import io.securelake.envs.Environment;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.operations.audit.AuditShipper;
import io.securelake.operations.connect.KafkaConnection;
import io.securelake.operations.connect.KmsClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.admin.Admin;

/**
 * Starts each part of a core alone, from its {@link CoreLayout}: the same code whether the parts share a JVM
 * ({@link CoreStack}) or each has its own ({@link ComponentProcess}). Each returns once its part serves.
 */
public final class CoreParts {
    static final Duration AUDIT_SHIPPING_INTERVAL = Duration.ofSeconds(5);
    /** A NameNode that restarts on a namespace with blocks leaves safe mode once the DataNode has reported them. */
    private static final Duration SAFE_MODE_WAIT = Duration.ofMinutes(3);
    private static final Duration SAFE_MODE_POLL = Duration.ofMillis(250);

    private CoreParts() {
    }

    /**
     * A part started in this JVM, and how to tell it still serves: a server that ends inside a live process (a
     * NameNode that left the active state, a DataNode whose service threads ended) would otherwise look alive.
     */
    record Started(AutoCloseable part, BooleanSupplier serving) {
    }

    /** Starts {@code component} in this JVM. */
    static Started start(CoreComponent component, CoreLayout l, Consumer<String> progress) {
        return switch (component) {
            case KDC -> new Started(kdc(l, progress), () -> true);
            case KAFKA -> new Started(kafka(l, progress), () -> true);
            case NAMENODE -> {
                EmbeddedNameNode n = nameNode(l, progress);
                yield new Started(n, n::isRunning);
            }
            case DATANODE -> {
                EmbeddedDataNode d = dataNode(l, progress);
                yield new Started(d, d::isRunning);
            }
            case KMS -> new Started(kms(l, progress), () -> true);
            case AGENT -> new Started(agent(l, progress), () -> true);
        };
    }

    /** The KDC and its audit: closing stops the KDC first, so that its last answers are still recorded. */
    public record Kdc(KdcAudit audit, EmbeddedKdc kdc) implements AutoCloseable {
        @Override
        public void close() {
            try (KdcAudit last = audit) {
                kdc.close();
            }
        }
    }

    /** Starts the KDC, with every principal of the realm and its keytab (keys kept across restarts). */
    public static Kdc kdc(CoreLayout l, Consumer<String> progress) {
        Environment env = l.env();
        progress.accept("starting KDC (realm " + env.realm() + ") on " + LocalRealm.HOST + ":" + l.ports().kdc());
        // Every login and service ticket, granted or refused, goes to the audit trail (stage kdc).
        KdcAudit audit = KdcAudit.open(env, l.home().auditDir(), progress);
        try {
            // Keys from the realm secret store: a KDC restarted on this home keeps every key, krbtgt's included, so
            // the keytabs and tickets the running services hold stay valid.
            EmbeddedKdc kdc = EmbeddedKdc.start(l.kdc(), audit, RealmSecrets.inWorkDir(l.kdc()));
            try {
                LocalRealm.provision(kdc, env, l.home());
                return new Kdc(audit, kdc);
            } catch (RuntimeException e) {
                kdc.close();
                throw e;
            }
        } catch (RuntimeException e) {
            audit.close();
            throw e;
        }
    }

    public static EmbeddedKafkaBroker kafka(CoreLayout l, Consumer<String> progress) {
        progress.accept("enforcing Ranger policies from " + l.policies().policiesDir().resolve(l.env().name()));
        progress.accept("starting Kafka (KRaft, SASL/GSSAPI over TLS) on " + l.kafkaBootstrap());
        return EmbeddedKafkaBroker.start(l.kafka());
    }

    public static EmbeddedNameNode nameNode(CoreLayout l, Consumer<String> progress) {
        progress.accept("starting the HDFS NameNode (Kerberos, HTTPS WebHDFS) on " + l.hdfs().nameNodeUri());
        return EmbeddedNameNode.start(l.env(), l.hdfs());
    }

    public static EmbeddedDataNode dataNode(CoreLayout l, Consumer<String> progress) {
        progress.accept("starting the HDFS DataNode (SASL block transfer, HTTPS)");
        return EmbeddedDataNode.start(l.env(), l.hdfs());
    }

    /** NameNode and DataNode in this JVM. */
    static EmbeddedHdfs hdfs(CoreLayout l, Consumer<String> progress) {
        progress.accept("starting HDFS (Kerberos, HTTPS WebHDFS) on " + l.hdfs().nameNodeUri());
        return EmbeddedHdfs.start(l.env(), l.hdfs());
    }

    public static EmbeddedKms kms(CoreLayout l, Consumer<String> progress) {
        progress.accept("starting KMS (Kerberos, HTTPS, per-key ACLs) on " + LocalRealm.HOST + ":" + l.ports().kms());
        EmbeddedKms kms = EmbeddedKms.start(l.env(), l.kms());
        HadoopSecurity.requireKerberos("starting the KMS");
        return kms;
    }

    /**
     * Applies the environment's namespace (topics and ACLs, HDFS directories, dataset keys; each step leaves what
     * exists as it is), then ships the local audit trail to HDFS every few seconds until closed.
     */
    public static AuditShipper agent(CoreLayout l, Consumer<String> progress) {
        Environment env = l.env();
        String kafkaPrincipal = l.qualify(LocalRealm.kafkaPrincipal());
        KafkaConnection connection = new KafkaConnection(l.kafkaBootstrap(), l.tls().caPem(), env.kerberos());
        try (Admin admin = Admin.create(connection.clientProperties(kafkaPrincipal, l.keytab(kafkaPrincipal)))) {
            new KafkaNamespace(env).apply(admin);
        }
        Configuration conf = l.hdfsClient();
        String hdfsPrincipal = l.qualify(LocalRealm.hdfsPrincipal());
        UserGroupInformation superuser = HadoopSecurity.login(conf, hdfsPrincipal, l.keytab(hdfsPrincipal));
        try {
            HadoopSecurity.doAs(superuser, () -> {
                try (FileSystem fs = FileSystem.newInstance(conf)) {
                    awaitOutOfSafeMode(fs, progress);
                    new HdfsNamespace(env).apply(fs);
                }
                return null;
            });
            Configuration kmsConf = KmsClients.clientConfiguration(conf, l.tls().truststore(), l.tls().truststorePassword());
            HadoopSecurity.doAs(superuser, () -> {
                new KmsKeys(KmsClients.provider(kmsConf, l.kms().providerUri())).ensureDatasetKeys(env);
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("applying the namespace of " + env.name() + " failed: " + e.getMessage(), e);
        }
        progress.accept("namespace of " + env.name() + " ready: topics, HDFS directories, keys; policies enforced");
        // The trail is kept locally first (the spool) and shipped to HDFS, readable by auditors there.
        return new AuditShipper(l.home().auditDir(), env.names().auditPath(), conf, superuser, progress)
                .start(AUDIT_SHIPPING_INTERVAL);
    }

    /**
     * A NameNode restarted on blocks stays read-only until the DataNode has reported them; directories made before
     * would be refused. Hadoop offers no notification of the end of safe mode to a client, so this asks the
     * NameNode, a few times a second, until it says so.
     */
    private static void awaitOutOfSafeMode(FileSystem fs, Consumer<String> progress) throws IOException {
        if (!(fs instanceof DistributedFileSystem dfs)) {
            return;
        }
        Instant deadline = Instant.now().plus(SAFE_MODE_WAIT);
        boolean said = false;
        while (dfs.setSafeMode(HdfsConstants.SafeModeAction.SAFEMODE_GET)) {
            if (!said) {
                progress.accept("the NameNode is in safe mode (waiting for the DataNode's block report)");
                said = true;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the NameNode was still in safe mode after " + SAFE_MODE_WAIT
                        + ": is the DataNode running?");
            }
            try {
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(SAFE_MODE_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the NameNode to leave safe mode", e);
            }
        }
    }
}
