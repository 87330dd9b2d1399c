package io.securelake.devstack.local;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Person;
import io.securelake.envs.ServiceIdentity;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates an environment's principals in the embedded KDC and exports one keytab per principal,
 * holding only that principal's keys. Keys are new at every start, so a keytab kept from an earlier
 * run is stale by design.
 */
public final class LocalRealm {
    /** Services are addressed by this literal host: clients derive the service principal from it. */
    public static final String HOST = "localhost";

    private LocalRealm() {
    }

    public static String kafkaPrincipal() {
        return EnvironmentNames.hostPrincipal(EnvironmentNames.KAFKA_SERVICE, HOST);
    }

    public static String hdfsPrincipal() {
        return EnvironmentNames.hostPrincipal(EnvironmentNames.HDFS_SERVICE, HOST);
    }

    public static String httpPrincipal() {
        return EnvironmentNames.hostPrincipal(EnvironmentNames.HTTP_SERVICE, HOST);
    }

    /**
     * The query server's own SPNEGO principal ({@code HTTP/127.0.0.1}): it is dialled by address, so it needs no
     * share of {@code HTTP/localhost}, whose keytab would let it act as the KMS and WebHDFS.
     */
    public static String queryHttpPrincipal() {
        return EnvironmentNames.localQuerySpnegoPrincipal();
    }

    /** @return qualified principal → keytab, in a stable order (infrastructure, services, people) */
    public static Map<String, Path> provision(EmbeddedKdc kdc, Environment env, StackHome home) {
        Map<String, Path> keytabs = new LinkedHashMap<>();
        for (String p : new String[] {kafkaPrincipal(), hdfsPrincipal(), httpPrincipal(), queryHttpPrincipal()}) {
            keytabs.put(kdc.qualify(p), export(kdc, p, home));
        }
        for (ServiceIdentity s : env.services()) {
            keytabs.put(kdc.qualify(s.principal()), export(kdc, s.principal(), home));
        }
        for (Person person : env.people()) {
            String p = env.names().personPrincipal(person);
            keytabs.put(kdc.qualify(p), export(kdc, p, home));
        }
        return keytabs;
    }

    private static Path export(EmbeddedKdc kdc, String principal, StackHome home) {
        kdc.createPrincipal(principal);
        return kdc.exportKeytab(principal, home.keytab(principal));
    }
}
