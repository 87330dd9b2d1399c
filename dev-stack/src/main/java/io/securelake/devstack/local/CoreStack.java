package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.hdfs.EmbeddedHdfs;
import io.securelake.devstack.kafka.EmbeddedKafkaBroker;
import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kms.EmbeddedKms;
import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.kerberos.Krb5Conf;
import io.securelake.operations.audit.AuditShipper;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The secured core of one environment's local stack, all in this JVM: KDC, Kafka KRaft broker, HDFS, KMS and the
 * agent that applies the namespace and ships the audit trail. Integration tests run it so; {@code securelake up}
 * runs each part in a process of its own ({@link ComponentProcess}), from the same {@link CoreParts}.
 */
public final class CoreStack implements AutoCloseable {
    private final CoreLayout layout;
    private final CoreParts.Kdc kdc;
    private final EmbeddedKafkaBroker kafka;
    private final EmbeddedHdfs hdfs;
    private final EmbeddedKms kms;
    private final AuditShipper auditShipper;

    private CoreStack(CoreLayout layout, CoreParts.Kdc kdc, EmbeddedKafkaBroker kafka, EmbeddedHdfs hdfs, EmbeddedKms kms,
                      AuditShipper auditShipper) {
        this.layout = layout;
        this.kdc = kdc;
        this.kafka = kafka;
        this.hdfs = hdfs;
        this.kms = kms;
        this.auditShipper = auditShipper;
    }

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
     * Starts every part in this JVM, in dependency order ({@link CoreParts}); on failure stops what had started and
     * rethrows. The JVM must already use the stack's krb5.conf ({@link #writeKrb5Conf}) and, for WebHDFS on JDK 17,
     * have {@value EmbeddedHdfs#JAXB_NO_OPTIMIZE} set: the process decides JVM-wide settings, not this class.
     */
    public static CoreStack start(Environment env, StackHome home, PolicyEnforcement policies, Consumer<String> progress) {
        CoreLayout layout = CoreLayout.prepare(env, home, policies);
        requireKrb5Conf(env, home, layout.ports());
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            CoreParts.Kdc kdc = CoreParts.kdc(layout, progress);
            started.push(kdc);
            EmbeddedKafkaBroker kafka = CoreParts.kafka(layout, progress);
            started.push(kafka);
            EmbeddedHdfs hdfs = CoreParts.hdfs(layout, progress);
            started.push(hdfs);
            EmbeddedKms kms = CoreParts.kms(layout, progress);
            started.push(kms);
            // Hadoop keeps proxy-user rules JVM-wide and the KMS replaced the NameNode's: only in a shared JVM.
            hdfs.refreshProxyUsers();
            AuditShipper shipper = CoreParts.agent(layout, progress);
            started.push(shipper);
            return new CoreStack(layout, kdc, kafka, hdfs, kms, shipper);
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
        return layout.env();
    }

    public StackHome home() {
        return layout.home();
    }

    public String realm() {
        return layout.env().realm();
    }

    /** Qualified principal → its keytab. */
    public Map<String, Path> keytabs() {
        return layout.keytabs();
    }

    public Path keytab(String principal) {
        Path k = layout.keytabs().get(qualify(principal));
        if (k == null) {
            throw new IllegalArgumentException("no keytab for " + principal + " in environment " + layout.env().name());
        }
        return k;
    }

    public String qualify(String principal) {
        return kdc.kdc().qualify(principal);
    }

    /** Ships the local audit trail to HDFS now (it also does so every few seconds). */
    public AuditShipper.Round shipAudit() {
        return auditShipper.shipOnce();
    }

    /** The KDC itself, for tests and admin tooling that must create or re-key principals. */
    public EmbeddedKdc kdc() {
        return kdc.kdc();
    }

    public TlsMaterial tls() {
        return layout.tls();
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
        return new StackClients(layout.env(), endpoints());
    }

    public CoreEndpoints endpoints() {
        return layout.endpoints(ProcessHandle.current().pid());
    }

    @Override
    public void close() {
        Deque<AutoCloseable> all = new ArrayDeque<>();
        all.push(kdc); // last: the others' last logins are still answered and recorded
        all.push(kafka);
        all.push(hdfs);
        all.push(kms);
        all.push(auditShipper); // closed first: ships the last records while HDFS still runs
        closeAll(all);
    }
}
