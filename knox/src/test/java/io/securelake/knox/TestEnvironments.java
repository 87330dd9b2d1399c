package io.securelake.knox;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;

import java.nio.file.Path;

/** The committed environments and policies (surefire passes their directories). */
final class TestEnvironments {
    static final Path ENVS_DIR = Path.of(System.getProperty("securelake.envs.dir", "../envs")).toAbsolutePath();
    static final Path POLICIES_DIR = Path.of(System.getProperty("securelake.policies.dir",
            "../security-policies/policies")).toAbsolutePath();

    private TestEnvironments() {
    }

    static Environment load(String name) {
        return EnvironmentCatalog.of(ENVS_DIR).load(name);
    }
}
