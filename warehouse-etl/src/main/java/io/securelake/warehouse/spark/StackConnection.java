package io.securelake.warehouse.spark;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Principals;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a Spark JVM needs to reach an environment's services, read from the {@code endpoints.json} a
 * running local stack (or {@code ClusterEndpoints} for real clusters) writes: Kerberos configuration,
 * keytabs, the NameNode and the CA truststore.
 */
public record StackConnection(String realm, Path krb5Conf, Map<String, Path> keytabs, String nameNode,
                              String nameNodePrincipal, Path truststore, String truststorePassword) {
    public StackConnection {
        keytabs = Map.copyOf(keytabs);
    }

    public static StackConnection read(Path endpointsFile) {
        return of(CoreEndpoints.read(endpointsFile), endpointsFile);
    }

    /** What a Spark JVM takes of the endpoints; it reaches the query server over TLS, so a truststore is required. */
    public static StackConnection of(CoreEndpoints e, Path source) {
        if (e.truststore() == null) {
            throw new IllegalArgumentException(source + " lacks 'truststore' and 'truststore_password': a Spark JVM of "
                    + "securelake needs the CA of the query server's certificate as a truststore");
        }
        Map<String, Path> keytabs = new HashMap<>();
        e.keytabs().forEach((principal, keytab) -> keytabs.put(principal, Path.of(keytab)));
        return new StackConnection(e.realm(), Path.of(e.krb5Conf()), keytabs, e.hdfsNameNode(), e.hdfsPrincipal(),
                Path.of(e.truststore()), e.truststorePassword());
    }

    /** {@code name@REALM}, unless already qualified. */
    public String qualify(String principal) {
        return Principals.qualify(principal, realm);
    }

    public Path keytab(String principal) {
        Path k = keytabs.get(qualify(principal));
        if (k == null) {
            throw new IllegalArgumentException("no keytab for " + qualify(principal) + " (known: " + keytabs.keySet() + ")");
        }
        return k;
    }
}
