package io.securelake.platform.cli;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.platform.local.LocalStackLauncher;
import io.securelake.platform.local.StackHome;
import java.nio.file.Path;

/**
 * Where the CLI finds environment definitions and stack directories. {@code bin/securelake} passes
 * the project directory; {@code SECURELAKE_ENVS_DIR} and {@code SECURELAKE_HOME} override.
 */
record CliContext(Path projectDir, Path envsDir) {

    static CliContext fromSystem() {
        Path project = Path.of(System.getProperty("securelake.project.dir", ".")).toAbsolutePath().normalize();
        String envs = System.getenv("SECURELAKE_ENVS_DIR");
        return new CliContext(project, envs != null && !envs.isBlank() ? Path.of(envs) : project.resolve("envs"));
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

    LocalStackLauncher launcher(String environment) {
        return new LocalStackLauncher(environment(environment), envsDir, home(environment));
    }
}
