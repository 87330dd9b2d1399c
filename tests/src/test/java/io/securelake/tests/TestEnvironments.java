package io.securelake.tests;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import java.nio.file.Path;

/** The environment definitions shipped in envs/, as the tests load them. */
public final class TestEnvironments {
    public static final Path ENVS_DIR = Path.of(System.getProperty("securelake.envs.dir", "../envs")).toAbsolutePath().normalize();

    private TestEnvironments() {
    }

    public static Environment load(String name) {
        return EnvironmentCatalog.of(ENVS_DIR).load(name);
    }
}
