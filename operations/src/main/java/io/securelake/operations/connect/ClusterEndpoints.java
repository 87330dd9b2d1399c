package io.securelake.operations.connect;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceIdentity;
import io.securelake.kerberos.Krb5Conf;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Endpoints of an environment that runs on real clusters, taken from its definition alone: the KDCs
 * (a krb5.conf is generated unless one is provided), the provided service keytabs, Kafka, HDFS and the
 * CA. Nothing is started: the same client code then talks to those clusters.
 */
public final class ClusterEndpoints {
    private ClusterEndpoints() {
    }

    /** @param workDir where a generated krb5.conf is written */
    public static CoreEndpoints of(Environment env, Path workDir) {
        if (env.kerberos().embedded() || env.endpoints().kafkaEmbedded() || env.endpoints().hdfsEmbedded()) {
            throw new IllegalArgumentException("environment " + env.name() + " (" + env.source()
                    + ") uses the embedded local stack: start it with 'securelake up --env " + env.name() + "'");
        }
        Path krb5 = env.kerberos().krb5Conf().orElseGet(() -> new Krb5Conf(env.realm(), env.kerberos().kdcs(),
                env.kerberos().ticketLifetime(), env.kerberos().renewLifetime()).writeTo(workDir.resolve("krb5.conf")));
        Map<String, String> keytabs = new LinkedHashMap<>();
        for (ServiceIdentity s : env.services()) {
            s.keytab().ifPresent(k -> keytabs.put(env.names().qualified(s.principal()), k.toString()));
        }
        String nameNode = env.endpoints().hdfsNameNode().orElseThrow().toString();
        String webHdfs = env.endpoints().webHdfs().map(u -> u.toString().replaceAll("/+$", "")).orElseThrow();
        // Real NameNodes run as hdfs/<their host>: Hadoop substitutes _HOST with the host it dials.
        String nameNodePrincipal = env.names().qualified(EnvironmentNames.hostPrincipal(EnvironmentNames.HDFS_SERVICE, "_HOST"));
        // Real clusters: no stack truststore (clients get the CA), no KMS URI in the definition, no local process.
        return CoreEndpoints.builder().environment(env.name()).realm(env.realm()).krb5Conf(krb5.toString())
                .keytabs(keytabs).caPem(env.endpoints().caPem().orElseThrow().toString())
                .kdc(env.kerberos().kdcs().get(0)).kafkaBootstrap(env.endpoints().kafkaBootstrap().orElseThrow())
                .hdfsNameNode(nameNode).webHdfs(webHdfs.endsWith("/webhdfs/v1") ? webHdfs : webHdfs + "/webhdfs/v1")
                .hdfsPrincipal(nameNodePrincipal).pid(CoreEndpoints.NO_PROCESS).build();
    }
}
