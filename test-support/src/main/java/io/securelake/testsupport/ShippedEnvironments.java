package io.securelake.testsupport;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The environment definitions ({@code envs/}) and policies ({@code security-policies/policies/}) committed with the
 * project, as every module's tests load them. Surefire passes their directories ({@code securelake.envs.dir},
 * {@code securelake.policies.dir}); a run from an IDE finds them by walking up from the working directory.
 */
public final class ShippedEnvironments {
    public static final String ENVS_DIR_PROPERTY = "securelake.envs.dir";
    public static final String POLICIES_DIR_PROPERTY = "securelake.policies.dir";

    private ShippedEnvironments() {
    }

    public static Path envsDir() {
        return located(ENVS_DIR_PROPERTY, Path.of("envs"), "dev.yaml");
    }

    public static Path policiesDir() {
        return located(POLICIES_DIR_PROPERTY, Path.of("security-policies", "policies"), "dev");
    }

    public static EnvironmentCatalog catalog() {
        return EnvironmentCatalog.of(envsDir());
    }

    public static Environment load(String name) {
        return catalog().load(name);
    }

    private static Path located(String property, Path inProject, String marker) {
        String set = System.getProperty(property);
        if (set != null && !set.isBlank()) {
            return Path.of(set).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(inProject);
            if (Files.exists(candidate.resolve(marker))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("-D" + property + " is not set and no " + inProject + " was found above "
                + Path.of("").toAbsolutePath() + ": run the tests with Maven from the project");
    }
}
