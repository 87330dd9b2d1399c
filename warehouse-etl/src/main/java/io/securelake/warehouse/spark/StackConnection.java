package io.securelake.warehouse.spark;

import io.securelake.envs.Principals;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        try {
            JsonNode e = new ObjectMapper().readTree(endpointsFile.toFile());
            Map<String, Path> keytabs = new HashMap<>();
            e.path("keytabs").fields().forEachRemaining(f -> keytabs.put(f.getKey(), Path.of(f.getValue().asText())));
            return new StackConnection(required(e, "realm", endpointsFile), Path.of(required(e, "krb5_conf", endpointsFile)),
                    keytabs, required(e, "hdfs_namenode", endpointsFile), required(e, "hdfs_principal", endpointsFile),
                    Path.of(required(e, "truststore", endpointsFile)), required(e, "truststore_password", endpointsFile));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + endpointsFile + ": " + ex.getMessage(), ex);
        }
    }

    private static String required(JsonNode e, String field, Path file) {
        String v = e.path(field).asText("");
        if (v.isBlank()) {
            throw new IllegalArgumentException(file + " lacks '" + field + "'");
        }
        return v;
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
