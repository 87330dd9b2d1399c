package io.securelake.devstack.local;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.RealmSecrets;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Creates an environment's principals in the embedded KDC and exports one keytab per principal,
 * holding only that principal's keys. The keys derive from the realm secret store in the KDC's work
 * directory ({@link RealmSecrets}), so a KDC started again on the same stack home has the same keys:
 * keytabs exported earlier, and tickets issued earlier, stay valid across a KDC restart, and a keytab
 * whose keys did not change is not rewritten. Deleting the store re-keys the realm.
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

    /**
     * Ensures every principal of the environment from the KDC's realm secret store and writes the keytabs that are
     * missing or hold other keys.
     *
     * @param kdc started with a realm secret store ({@code EmbeddedKdc.start(settings, listener, RealmSecrets)})
     * @return qualified principal → keytab, in a stable order (infrastructure, services, people)
     */
    public static Map<String, Path> provision(EmbeddedKdc kdc, Environment env, StackHome home) {
        Map<String, Path> keytabs = new LinkedHashMap<>();
        for (String p : principals(env)) {
            keytabs.put(kdc.qualify(p), export(kdc, p, home));
        }
        return keytabs;
    }

    private static Path export(EmbeddedKdc kdc, String principal, StackHome home) {
        kdc.ensurePrincipal(principal);
        Path keytab = home.keytab(principal);
        // A running service may be reading its keytab: after a KDC restart the keys are the same, so leave it be.
        kdc.exportKeytabIfChanged(principal, keytab);
        return keytab;
    }

    /** Every principal of the environment's realm, unqualified, in a stable order (infrastructure, services, people). */
    public static java.util.List<String> principals(Environment env) {
        java.util.List<String> all = new java.util.ArrayList<>(
                java.util.List.of(kafkaPrincipal(), hdfsPrincipal(), httpPrincipal(), queryHttpPrincipal()));
        env.services().forEach(s -> all.add(s.principal()));
        env.people().forEach(p -> all.add(env.names().personPrincipal(p)));
        return java.util.List.copyOf(all);
    }
}
