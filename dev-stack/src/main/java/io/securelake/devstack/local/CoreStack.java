package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.audit.KdcAudit;
import io.securelake.devstack.hdfs.EmbeddedHdfs;
import io.securelake.devstack.hdfs.HdfsNamespace;
import io.securelake.devstack.hdfs.HdfsSettings;
import io.securelake.devstack.kafka.EmbeddedKafkaBroker;
import io.securelake.devstack.kafka.KafkaBrokerSettings;
import io.securelake.devstack.kafka.KafkaNamespace;
import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.devstack.kdc.RealmSecrets;
import io.securelake.devstack.kms.EmbeddedKms;
import io.securelake.devstack.kms.KmsKeys;
import io.securelake.devstack.kms.KmsSettings;
import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.kerberos.Krb5Conf;
import io.securelake.operations.audit.AuditShipper;
import io.securelake.operations.connect.KafkaConnection;
import io.securelake.operations.connect.KmsClients;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.admin.Admin;

/**
 * The secured core of one environment's local stack, in this JVM: KDC, Kafka KRaft broker and HDFS,
 * with the environment's principals, keytabs, topics, ACLs and directories. Used by the core child
 * process of {@code securelake up} and directly by integration tests.
 */
public final class CoreStack implements AutoCloseable {
    private final Environment env;
    private final StackHome home;
    private final KdcAudit kdcAudit;
    private final EmbeddedKdc kdc;
    private final Map<String, Path> keytabs;
    private final TlsMaterial tls;
    private final EmbeddedKafkaBroker kafka;
    private final EmbeddedHdfs hdfs;
    private final EmbeddedKms kms;
    private final AuditShipper auditShipper;

    private CoreStack(Environment env, StackHome home, KdcAudit kdcAudit, EmbeddedKdc kdc, Map<String, Path> keytabs,
                      TlsMaterial tls, EmbeddedKafkaBroker kafka, EmbeddedHdfs hdfs, EmbeddedKms kms,
                      AuditShipper auditShipper) {
        this.env = env;
        this.home = home;
        this.kdcAudit = kdcAudit;
        this.kdc = kdc;
        this.keytabs = keytabs;
        this.tls = tls;
        this.kafka = kafka;
        this.hdfs = hdfs;
        this.kms = kms;
        this.auditShipper = auditShipper;
    }

    static final java.time.Duration AUDIT_SHIPPING_INTERVAL = java.time.Duration.ofSeconds(5);

    /** Starts everything with the project's policies ({@link PolicyEnforcement#projectDefaults}). */
    public static CoreStack start(Environment env, StackHome home, Consumer<String> progress) {
        return start(env, home, PolicyEnforcement.projectDefaults(env), progress);
    }

    /**
     * Writes the krb5.conf of the environment's local realm into {@code home} and returns it. The KDC's port is chosen
     * once and kept ({@code ports.properties}), so the file is right before the KDC runs. Which krb5.conf a JVM uses is
     * JVM-wide state, the process's to set: its main points the JVM at this file
     * ({@code KerberosJvm.useKrb5Conf(CoreStack.writeKrb5Conf(env, home))}) before {@link #start}, which checks it.
     */
    public static Path writeKrb5Conf(Environment env, StackHome home) {
        requireEmbedded(env);
        home.create();
        return krb5Conf(env, LocalPorts.loadOrAllocate(home.portsFile())).writeTo(home.krb5Conf());
    }

    private static Krb5Conf krb5Conf(Environment env, LocalPorts ports) {
        return new Krb5Conf(env.realm(), List.of(LocalRealm.HOST + ":" + ports.kdc()), env.kerberos().ticketLifetime(),
                env.kerberos().renewLifetime());
    }

    /**
     * Fails unless this JVM uses the stack's krb5.conf and that file names this stack's KDC: every in-process client
     * and server of the stack (Kafka's, HDFS', the KMS') reads it.
     */
    private static void requireKrb5Conf(Environment env, StackHome home, LocalPorts ports) {
        String what = "the " + env.name() + " core stack";
        KerberosJvm.requireKrb5Conf(home.krb5Conf(), what);
        String current;
        try {
            current = java.nio.file.Files.readString(home.krb5Conf());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + home.krb5Conf(), e);
        }
        if (!current.equals(krb5Conf(env, ports).render())) {
            throw new IllegalStateException(home.krb5Conf() + " is not the krb5.conf of " + what + "'s KDC (port "
                    + ports.kdc() + "): write it with CoreStack.writeKrb5Conf and point the JVM at it before the start");
        }
    }

    /**
     * Starts everything, in dependency order; on failure stops what had started and rethrows. The JVM must already use
     * the stack's krb5.conf ({@link #writeKrb5Conf}) and, for WebHDFS on JDK 17, have
     * {@value EmbeddedHdfs#JAXB_NO_OPTIMIZE} set: the process decides JVM-wide settings, not this class.
     */
    public static CoreStack start(Environment env, StackHome home, PolicyEnforcement policies, Consumer<String> progress) {
        requireEmbedded(env);
        home.create();
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        requireKrb5Conf(env, home, ports);
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            progress.accept("starting KDC (realm " + env.realm() + ")");
            // Every login and service ticket, granted or refused, goes to the audit trail (stage kdc).
            KdcAudit kdcAudit = KdcAudit.open(env, home.auditDir(), progress);
            started.push(kdcAudit);
            KdcSettings kdcSettings = new KdcSettings(env.realm(), LocalRealm.HOST, ports.kdc(),
                    env.kerberos().ticketLifetime(), env.kerberos().renewLifetime(), home.kdcDir());
            // Keys from the realm secret store: a KDC restarted on this home keeps every key, krbtgt's included.
            EmbeddedKdc kdc = EmbeddedKdc.start(kdcSettings, kdcAudit, RealmSecrets.inWorkDir(kdcSettings));
            started.push(kdc);
            Map<String, Path> keytabs = LocalRealm.provision(kdc, env, home);
            TlsMaterial tls = TlsMaterial.ensure(home.tlsDir(), env.name());

            progress.accept("enforcing Ranger policies from " + policies.policiesDir().resolve(env.name()));
            progress.accept("starting Kafka (KRaft, SASL/GSSAPI over TLS) on " + LocalRealm.HOST + ":" + ports.kafka());
            String kafkaPrincipal = kdc.qualify(LocalRealm.kafkaPrincipal());
            EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start(new KafkaBrokerSettings(LocalRealm.HOST, ports.kafka(),
                    ports.kafkaController(), home.kafkaDir(), kafkaPrincipal, keytabs.get(kafkaPrincipal), tls,
                    Set.of(EnvironmentNames.KAFKA_SERVICE),
                    policies.kafkaBrokerProperties(env, home.auditDir().resolve("kafka")),
                    env.kerberos().minTimeBeforeRelogin()));
            started.push(kafka);
            KafkaConnection connection = new KafkaConnection(kafka.bootstrap(), tls.caPem(), env.kerberos());
            try (Admin admin = Admin.create(connection.clientProperties(kafkaPrincipal, keytabs.get(kafkaPrincipal)))) {
                new KafkaNamespace(env).apply(admin);
            }

            progress.accept("starting HDFS (Kerberos, HTTPS WebHDFS) on " + LocalRealm.HOST + ":" + ports.nameNode());
            String hdfsPrincipal = kdc.qualify(LocalRealm.hdfsPrincipal());
            String httpPrincipal = kdc.qualify(LocalRealm.httpPrincipal());
            EmbeddedHdfs hdfs = EmbeddedHdfs.start(env, new HdfsSettings(LocalRealm.HOST, ports.nameNode(),
                    ports.nameNodeHttps(), home.hdfsDir(), home.hadoopConfDir(), hdfsPrincipal,
                    keytabs.get(hdfsPrincipal), httpPrincipal, keytabs.get(httpPrincipal), tls,
                    policies.nameNodeProperties(env, home.auditDir().resolve("hdfs"))));
            started.push(hdfs);
            Configuration conf = hdfs.clientConfiguration();
            UserGroupInformation superuser = HadoopSecurity.login(conf, hdfsPrincipal, keytabs.get(hdfsPrincipal));
            HadoopSecurity.doAs(superuser, () -> {
                try (FileSystem fs = FileSystem.get(conf)) {
                    new HdfsNamespace(env).apply(fs);
                }
                return null;
            });

            progress.accept("starting KMS (Kerberos, HTTPS, per-key ACLs) on " + LocalRealm.HOST + ":" + ports.kms());
            EmbeddedKms kms = EmbeddedKms.start(env, new KmsSettings(LocalRealm.HOST, ports.kms(), home.kmsDir(),
                    httpPrincipal, keytabs.get(httpPrincipal), tls, HadoopSecurity.securityProperties(conf)));
            started.push(kms);
            HadoopSecurity.requireKerberos("starting the KMS");
            hdfs.refreshProxyUsers();
            Configuration kmsConf = KmsClients.clientConfiguration(conf, tls.truststore(), tls.truststorePassword());
            HadoopSecurity.doAs(superuser, () -> {
                new KmsKeys(KmsClients.provider(kmsConf, kms.providerUri())).ensureDatasetKeys(env);
                return null;
            });
            // The trail is kept locally first (the spool) and shipped to HDFS, readable by auditors there.
            AuditShipper shipper = new AuditShipper(home.auditDir(), env.names().auditPath(), conf, superuser,
                    progress).start(AUDIT_SHIPPING_INTERVAL);
            started.push(shipper);
            progress.accept("namespace of " + env.name() + " ready: topics, HDFS directories, keys; policies enforced");
            return new CoreStack(env, home, kdcAudit, kdc, keytabs, tls, kafka, hdfs, kms, shipper);
        } catch (IOException e) {
            closeAll(started);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            closeAll(started);
            throw e;
        }
    }

    static void requireEmbedded(Environment env) {
        if (!env.kerberos().embedded() || !env.endpoints().kafkaEmbedded() || !env.endpoints().hdfsEmbedded()) {
            throw new IllegalArgumentException("environment " + env.name() + " (" + env.source()
                    + ") points at real clusters (kerberos.kdcs or endpoints): the local stack only runs embedded services. "
                    + "Use its clients against those clusters instead of 'up'.");
        }
    }

    private static void closeAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception suppressed) {
                // best effort: the original failure is what the caller needs to see
            }
        }
    }

    public Environment environment() {
        return env;
    }

    public StackHome home() {
        return home;
    }

    public String realm() {
        return kdc.realm();
    }

    /** Qualified principal → its keytab. */
    public Map<String, Path> keytabs() {
        return keytabs;
    }

    public Path keytab(String principal) {
        Path k = keytabs.get(kdc.qualify(principal));
        if (k == null) {
            throw new IllegalArgumentException("no keytab for " + principal + " in environment " + env.name());
        }
        return k;
    }

    public String qualify(String principal) {
        return kdc.qualify(principal);
    }

    /** Ships the local audit trail to HDFS now (it also does so every few seconds). */
    public AuditShipper.Round shipAudit() {
        return auditShipper.shipOnce();
    }

    /** The KDC itself, for tests and admin tooling that must create or re-key principals. */
    public EmbeddedKdc kdc() {
        return kdc;
    }

    public TlsMaterial tls() {
        return tls;
    }

    /** The HDFS cluster itself, for operations such as a NameNode restart. */
    public EmbeddedHdfs hdfs() {
        return hdfs;
    }

    /** The KMS itself, for operations such as stopping it while the rest of the stack runs. */
    public EmbeddedKms kms() {
        return kms;
    }

    /** Clients of this stack, as applications and admin tools see it. */
    public StackClients clients() {
        return new StackClients(env, endpoints());
    }

    public CoreEndpoints endpoints() {
        Map<String, String> keytabPaths = new LinkedHashMap<>();
        keytabs.forEach((p, k) -> keytabPaths.put(p, k.toString()));
        return CoreEndpoints.builder().environment(env.name()).realm(kdc.realm()).krb5Conf(home.krb5Conf().toString())
                .keytabs(keytabPaths).truststore(tls.truststore().toString(), tls.truststorePassword())
                .caPem(tls.caPem().toString()).kdc(LocalRealm.HOST + ":" + kdc.port()).kafkaBootstrap(kafka.bootstrap())
                .hdfsNameNode(hdfs.nameNodeUri()).webHdfs(hdfs.webHdfsUrl() + "/webhdfs/v1")
                .hdfsPrincipal(kdc.qualify(LocalRealm.hdfsPrincipal())).kmsUri(kms.providerUri())
                .pid(ProcessHandle.current().pid()).build();
    }

    @Override
    public void close() {
        Deque<AutoCloseable> all = new ArrayDeque<>();
        all.push(kdcAudit); // after the KDC: its last answers are still recorded
        all.push(kdc);
        all.push(kafka);
        all.push(hdfs);
        all.push(kms);
        all.push(auditShipper); // closed first: ships the last records while HDFS still runs
        closeAll(all);
    }
}
