package io.securelake.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceRole;
import io.securelake.platform.tls.TlsMaterial;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The environment's query server (Spark Thrift Server with Ranger in Spark SQL) as its own JVM on
 * Spark's class path, started by {@code up} after the core. Its settings file names keystore passwords,
 * so it is readable by the owner only.
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
    private final ChildService service;

    QueryService(Environment env, PolicyEnforcement layout, StackHome home) {
        this.env = env;
        this.layout = layout;
        this.home = home;
        this.service = new ChildService("query", home);
    }

    ChildService service() {
        return service;
    }

    void start(Distribution dist, int port, Duration timeout) {
        Path config = writeConfig(port);
        String classPath = dist.classPath(MODULE);
        List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx1g", "-XX:+UseSerialGC"));
        jvm.addAll(SPARK_JVM_OPTIONS);
        service.start(() -> ChildJvm.start(jvm, classPath, MAIN, List.of("--config", config.toString()), service.log()), timeout);
    }

    private Path writeConfig(int port) {
        TlsMaterial tls = TlsMaterial.ensure(home.tlsDir(), env.name());
        ObjectNode c = new ObjectMapper().createObjectNode()
                .put("environment", env.name())
                .put("envs_dir", layout.envsDir().toAbsolutePath().toString())
                .put("policies_dir", layout.policiesDir().toAbsolutePath().toString())
                .put("state_dir", service.stateDir().toString())
                .put("audit_dir", home.auditDir().toString())
                .put("endpoints", home.endpointsFile().toString())
                .put("port", port)
                .put("keystore", tls.keystore().toString())
                .put("keystore_password", tls.keystorePassword())
                .put("gateway_user", EnvironmentNames.shortName(env.names().servicePrincipal(ServiceRole.GATEWAY)));
        return service.writePrivate("query-server.json", c.toPrettyString());
    }

    Optional<JsonNode> status() {
        return service.status();
    }
}
