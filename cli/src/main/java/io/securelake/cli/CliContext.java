package io.securelake.cli;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.devstack.local.Distribution;
import io.securelake.devstack.local.LocalStackLauncher;
import io.securelake.devstack.local.PolicyEnforcement;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the CLI finds environment definitions, policies and stack directories. {@code bin/securelake}
 * passes the project directory; {@code SECURELAKE_ENVS_DIR}, {@code SECURELAKE_POLICIES_DIR} and
 * {@code SECURELAKE_HOME} override.
 */
record CliContext(Path projectDir, Path envsDir, Path policiesDir) {

    static CliContext fromSystem() {
        Path project = Path.of(System.getProperty("securelake.project.dir", ".")).toAbsolutePath().normalize();
        return new CliContext(project, dir("SECURELAKE_ENVS_DIR", project.resolve("envs")),
                dir("SECURELAKE_POLICIES_DIR", project.resolve("security-policies").resolve("policies")));
    }

    private static Path dir(String variable, Path fallback) {
        String v = System.getenv(variable);
        return v != null && !v.isBlank() ? Path.of(v) : fallback;
    }

    PolicyEnforcement policies() {
        return new PolicyEnforcement(envsDir, policiesDir);
    }

    EnvironmentCatalog catalog() {
        return EnvironmentCatalog.of(envsDir);
    }

    Environment environment(String name) {
        return catalog().load(name);
    }

    StackHome home(String environment) {
        return StackHome.of(projectDir, environment);
    }

    /** The built modules that run in JVMs of their own (query server, ETL, gateway). */
    Distribution distribution() {
        return new Distribution(projectDir);
    }

    /**
     * Points this JVM's Kerberos at the running stack's krb5.conf. Which krb5.conf a JVM uses is JVM-wide state and
     * the CLI is the process: its commands make that choice here, before they create any client of the stack
     * (the libraries only check it).
     */
    static void useKrb5ConfOf(CoreEndpoints endpoints) {
        KerberosJvm.useKrb5Conf(Path.of(endpoints.krb5Conf()));
    }

    LocalStackLauncher launcher(String environment) {
        return new LocalStackLauncher(environment(environment), policies(), home(environment), Optional.of(distribution()));
    }
}
