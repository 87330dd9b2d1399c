package io.securelake.operations.connect;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.envs.Principals;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.kerberos.KerberosJvm;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Client-side access to an environment's services from their endpoints — a running local stack's or
 * a real cluster's ({@link ClusterEndpoints}): the view an application or an admin's tool has.
 * The JVM must already use the endpoints' krb5.conf: which krb5.conf a JVM uses is JVM-wide state, set by the
 * process's main ({@code KerberosJvm.useKrb5Conf(Path.of(endpoints.krb5Conf()))}), never by this class.
 */
public final class StackClients {
    private final Environment env;
    private final CoreEndpoints endpoints;

    /** @throws IllegalStateException if this JVM does not use {@code endpoints.krb5Conf()}, naming what to call */
    public StackClients(Environment env, CoreEndpoints endpoints) {
        this.env = env;
        this.endpoints = endpoints;
        KerberosJvm.requireKrb5Conf(Path.of(endpoints.krb5Conf()), "clients of the " + env.name() + " services");
    }

    public Environment environment() {
        return env;
    }

    public CoreEndpoints endpoints() {
        return endpoints;
    }

    /** {@code principal@REALM} in the endpoints' realm; an already qualified principal as it is. */
    public String qualify(String principal) {
        return Principals.qualify(principal, endpoints.realm());
    }

    public Path keytab(String principal) {
        String path = endpoints.keytabs().get(qualify(principal));
        if (path == null) {
            throw new IllegalArgumentException("the " + env.name() + " stack has no keytab for " + qualify(principal));
        }
        return Path.of(path);
    }

    public KafkaConnection kafka() {
        return new KafkaConnection(endpoints.kafkaBootstrap(), Path.of(endpoints.caPem()), env.kerberos());
    }

    /** Kafka client properties logging in as {@code principal} from its keytab. */
    public Properties kafkaProperties(String principal) {
        return kafka().clientProperties(qualify(principal), keytab(principal));
    }

    public Configuration hdfsConfiguration() {
        Configuration conf = HadoopSecurity.clientConfiguration(env, endpoints.hdfsNameNode(), endpoints.hdfsPrincipal());
        HadoopSecurity.useConfiguration(conf);
        return conf;
    }

    /**
     * The environment's key provider (its KMS) for whoever is the current Kerberos identity: call it
     * inside {@code HadoopSecurity.doAs}.
     */
    public org.apache.hadoop.crypto.key.KeyProviderCryptoExtension keyProvider(Configuration conf) {
        if (endpoints.kmsUri() == null) {
            throw new IllegalStateException("no KMS is configured for environment " + env.name());
        }
        return io.securelake.operations.connect.KmsClients.provider(io.securelake.operations.connect.KmsClients.clientConfiguration(
                conf, Path.of(endpoints.truststore()), endpoints.truststorePassword()), endpoints.kmsUri());
    }

    public UserGroupInformation hdfsLogin(Configuration conf, String principal) {
        return HadoopSecurity.login(conf, qualify(principal), keytab(principal));
    }
}
