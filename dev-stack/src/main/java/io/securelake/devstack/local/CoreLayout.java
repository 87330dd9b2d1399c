package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.hdfs.HdfsSettings;
import io.securelake.devstack.kafka.KafkaBrokerSettings;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.devstack.kms.KmsSettings;
import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Principals;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where every part of one environment's core lives and how it is addressed: ports, directories, principals, keytabs,
 * TLS material. The same for each part, whether the parts run in one JVM ({@link CoreStack}) or each in its own
 * process ({@link ComponentProcess}): a part learns all it needs of the others from here, not from them.
 */
public record CoreLayout(Environment env, StackHome home, LocalPorts ports, PolicyEnforcement policies, TlsMaterial tls) {

    /**
     * Makes what every part reads before any starts: the home, the ports, the krb5.conf of the realm and the TLS
     * material. Only the starter calls this; a part {@link #load}s what it made.
     */
    public static CoreLayout prepare(Environment env, StackHome home, PolicyEnforcement policies) {
        CoreStack.requireEmbedded(env);
        home.create();
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        CoreStack.writeKrb5Conf(env, home);
        return new CoreLayout(env, home, ports, policies, TlsMaterial.ensure(home.tlsDir(), env.name()));
    }

    /** The layout {@link #prepare} made; fails, naming what is missing, when it did not run. */
    public static CoreLayout load(Environment env, StackHome home, PolicyEnforcement policies) {
        CoreStack.requireEmbedded(env);
        if (!java.nio.file.Files.exists(home.portsFile())) {
            throw new IllegalStateException("no " + home.portsFile() + ": the stack's starter chooses the ports before any "
                    + "component starts");
        }
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        TlsMaterial tls = TlsMaterial.load(home.tlsDir()).orElseThrow(() -> new IllegalStateException(
                "no TLS material in " + home.tlsDir() + ": the stack's starter prepares it before any component starts"));
        return new CoreLayout(env, home, ports, policies, tls);
    }

    public String qualify(String principal) {
        return Principals.qualify(principal, env.realm());
    }

    /** Qualified principal → its keytab, for every principal of the realm ({@link LocalRealm#principals}). */
    public Map<String, Path> keytabs() {
        Map<String, Path> keytabs = new LinkedHashMap<>();
        LocalRealm.principals(env).forEach(p -> keytabs.put(qualify(p), home.keytab(p)));
        return keytabs;
    }

    public Path keytab(String principal) {
        return home.keytab(principal);
    }

    public KdcSettings kdc() {
        return new KdcSettings(env.realm(), LocalRealm.HOST, ports.kdc(), env.kerberos().ticketLifetime(),
                env.kerberos().renewLifetime(), home.kdcDir());
    }

    public KafkaBrokerSettings kafka() {
        String principal = qualify(LocalRealm.kafkaPrincipal());
        return new KafkaBrokerSettings(LocalRealm.HOST, ports.kafka(), ports.kafkaController(), home.kafkaDir(), principal,
                keytab(principal), tls, Set.of(EnvironmentNames.KAFKA_SERVICE),
                policies.kafkaBrokerProperties(env, home.auditDir().resolve("kafka")),
                env.kerberos().minTimeBeforeRelogin());
    }

    public String kafkaBootstrap() {
        return LocalRealm.HOST + ":" + ports.kafka();
    }

    public HdfsSettings hdfs() {
        String hdfsPrincipal = qualify(LocalRealm.hdfsPrincipal());
        String httpPrincipal = qualify(LocalRealm.httpPrincipal());
        return new HdfsSettings(LocalRealm.HOST, ports.nameNode(), ports.nameNodeHttps(), home.hdfsDir(),
                home.hadoopConfDir(), hdfsPrincipal, keytab(hdfsPrincipal), httpPrincipal, keytab(httpPrincipal), tls,
                policies.nameNodeProperties(env, home.auditDir().resolve("hdfs")));
    }

    /** A Hadoop client configuration of this core's HDFS (a new one each call: callers may change it). */
    public org.apache.hadoop.conf.Configuration hdfsClient() {
        return HadoopSecurity.clientConfiguration(env, hdfs().nameNodeUri(), qualify(LocalRealm.hdfsPrincipal()));
    }

    public KmsSettings kms() {
        String httpPrincipal = qualify(LocalRealm.httpPrincipal());
        return new KmsSettings(LocalRealm.HOST, ports.kms(), home.kmsDir(), httpPrincipal, keytab(httpPrincipal), tls,
                HadoopSecurity.securityProperties(hdfsClient()));
    }

    /** What clients need to reach this core; {@code pid} is the process that owns it (its supervisor, or this JVM). */
    public CoreEndpoints endpoints(long pid) {
        Map<String, String> keytabPaths = new LinkedHashMap<>();
        keytabs().forEach((p, k) -> keytabPaths.put(p, k.toString()));
        return CoreEndpoints.builder().environment(env.name()).realm(env.realm()).krb5Conf(home.krb5Conf().toString())
                .keytabs(keytabPaths).truststore(tls.truststore().toString(), tls.truststorePassword())
                .caPem(tls.caPem().toString()).kdc(LocalRealm.HOST + ":" + ports.kdc()).kafkaBootstrap(kafkaBootstrap())
                .hdfsNameNode(hdfs().nameNodeUri())
                .webHdfs("https://" + LocalRealm.HOST + ":" + ports.nameNodeHttps() + "/webhdfs/v1")
                .hdfsPrincipal(qualify(LocalRealm.hdfsPrincipal())).kmsUri(kms().providerUri()).pid(pid).build();
    }
}
