package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Principals;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceRole;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The environment's query server (Spark Thrift Server with Ranger in Spark SQL) as its own JVM on
 * Spark's class path, started by {@code up} after the core, as an OS user of its own where {@code up} may
 * arrange it. Its settings file names keystore passwords, so it is readable by the owner only.
 */
final class QueryService {
    static final String MAIN = "io.securelake.warehouse.query.QueryServerMain";
    static final String MODULE = "warehouse-etl";
    /** Spark on JDK 17 needs these (the list of Spark's own launcher, JavaModuleOptions). */
    static final List<String> SPARK_JVM_OPTIONS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED", "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED", "-Djdk.reflect.useDirectMethodHandle=false");

    private final Environment env;
    private final PolicyEnforcement layout;
    private final StackHome home;
    private final ChildService<QueryServerFigures> service;

    QueryService(Environment env, PolicyEnforcement layout, StackHome home) {
        this.env = env;
        this.layout = layout;
        this.home = home;
        this.service = new ChildService<>(ServiceKind.QUERY_SERVER, home, ServiceStatus.QUERY_SERVER);
    }

    ChildService<QueryServerFigures> service() {
        return service;
    }

    /**
     * Starts the query server as its own OS user when {@code up} can arrange it ({@link OsAccounts}), with copies of
     * its own credentials only: its service keytab, its SPNEGO keytab ({@code HTTP/127.0.0.1}, no share of
     * {@code HTTP/localhost}), krb5.conf, the CA truststore and its own TLS key and certificate (for 127.0.0.1).
     */
    Process start(Distribution dist, CoreEndpoints endpoints, int port, Duration timeout, Consumer<Process> spawned) {
        Isolation wanted = OsAccounts.arrange(env.names().osUser(ServiceRole.QUERY), "query server of " + env.name());
        TlsMaterial.ServiceKeystore tls = TlsMaterial.queryKeystore(home.tlsDir()).orElseThrow(() -> new IllegalStateException(
                "the query server has no TLS certificate of its own in " + home.tlsDir()
                        + ": the core predates it; run 'securelake down' and 'up' again"));
        service.freshCredentials();
        String principal = Principals.qualify(env.names().servicePrincipal(ServiceRole.QUERY), endpoints.realm());
        String spnego = Principals.qualify(LocalRealm.queryHttpPrincipal(), endpoints.realm());
        java.util.Map<String, String> keytabs = new java.util.LinkedHashMap<>();
        for (String p : List.of(principal, spnego)) {
            String keytab = endpoints.keytabs().get(p);
            if (keytab == null) {
                throw new IllegalStateException("no keytab for the query server's principal " + p + " in " + home.endpointsFile()
                        + ": the core predates it; run 'securelake down' and 'up' again");
            }
            keytabs.put(p, service.copyCredential(Path.of(keytab), Path.of(keytab).getFileName().toString()).toString());
        }
        Path krb5 = service.copyCredential(Path.of(endpoints.krb5Conf()), "krb5.conf");
        Path truststore = service.copyCredential(Path.of(endpoints.truststore()), "truststore.p12");
        // its own key and certificate (127.0.0.1 only), not the stack's shared server key
        Path keystore = service.copyCredential(tls.keystore(), "query.p12");
        // What the server reads of the stack: its own keytabs and copies, nothing of other services'.
        // (no CA file, no KMS: it reads neither)
        CoreEndpoints own = endpoints.toBuilder().krb5Conf(krb5.toString()).keytabs(keytabs)
                .truststore(truststore.toString(), endpoints.truststorePassword()).caPem(null).kmsUri(null).build();
        Path ownEndpoints = service.credentialsDir().resolve(CoreEndpoints.FILE_NAME);
        own.writeTo(ownEndpoints);
        Path config = writeConfig(port, ownEndpoints, keystore, tls.password());
        String classPath = dist.classPath(MODULE);
        Isolation isolation = service.delegate(wanted, home.auditDir().resolve(RangerServiceType.HIVE.serviceDefName()),
                ChildService.runtimeNeeds(dist, MODULE, layout, config));
        List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx1g", "-XX:+UseSerialGC"));
        jvm.addAll(SPARK_JVM_OPTIONS);
        return service.start(() -> ChildJvm.start(jvm, classPath, MAIN, List.of("--config", config.toString()), service.log(),
                isolation.user(), Optional.of(service.stateDir())), timeout, isolation, spawned);
    }

    private Path writeConfig(int port, Path endpoints, Path keystore, String keystorePassword) {
        ObjectNode c = new ObjectMapper().createObjectNode()
                .put("environment", env.name())
                .put("envs_dir", layout.envsDir().toAbsolutePath().toString())
                .put("policies_dir", layout.policiesDir().toAbsolutePath().toString())
                .put("state_dir", service.stateDir().toString())
                .put("audit_dir", home.auditDir().toString())
                .put("endpoints", endpoints.toString())
                .put("port", port)
                .put("keystore", keystore.toString())
                .put("keystore_password", keystorePassword)
                .put("gateway_user", EnvironmentNames.shortName(env.names().servicePrincipal(ServiceRole.GATEWAY)));
        return service.writePrivate("query-server.json", c.toPrettyString());
    }

}
