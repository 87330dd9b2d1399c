package io.securelake.policies;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;

import java.nio.file.Path;

/** Where the committed environments and policies are (set by surefire, with defaults for IDE runs). */
public final class TestEnvs {
    private TestEnvs() {
    }

    public static EnvironmentCatalog catalog() {
        return EnvironmentCatalog.of(Path.of(System.getProperty("securelake.envs.dir", "../envs")));
    }

    public static Environment load(String name) {
        return catalog().load(name);
    }

    public static Path policies() {
        return Path.of(System.getProperty("securelake.policies.dir", "policies"));
    }
}
