package io.securelake.tests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The command-line clients some tests drive as an admin would (MIT kinit/klist, kcat, curl). On a developer's
 * machine without one, such a test is skipped and says what to install; with {@code CI=true} it fails instead,
 * so that CI cannot pass by skipping the very checks that the standard clients work ({@code .ci/run} installs
 * the packages first).
 */
public final class ExternalClients {
    /** The Debian packages providing each tool; kcat needs the Cyrus GSSAPI plugin to log in with Kerberos. */
    static final Map<String, List<String>> PACKAGES = Map.of(
            "kinit", List.of("krb5-user"),
            "klist", List.of("krb5-user"),
            "kcat", List.of("kcat", "libsasl2-modules-gssapi-mit"),
            "curl", List.of("curl"));

    private ExternalClients() {
    }

    /** Skips the calling test (or fails it when {@code CI=true}) unless every tool is on this process's PATH. */
    public static void require(String... tools) {
        Map<String, String> env = System.getenv();
        check(env, tool -> onPath(env.getOrDefault("PATH", ""), tool), tools).enforce();
    }

    /** What {@link #require} decides, from an environment and a PATH lookup given to it (so it is testable anywhere). */
    static Requirement check(Map<String, String> env, Predicate<String> onPath, String... tools) {
        List<String> missing = Arrays.stream(tools).filter(onPath.negate()).toList();
        return new Requirement(missing, "true".equalsIgnoreCase(env.get("CI")));
    }

    record Requirement(List<String> missing, boolean ci) {
        String message() {
            Set<String> packages = new LinkedHashSet<>();
            for (String tool : missing) {
                packages.addAll(PACKAGES.getOrDefault(tool, List.of(tool)));
            }
            return String.join(", ", missing) + " not found on PATH; install it with: sudo apt-get install "
                    + String.join(" ", packages) + " (.ci/run does this in CI)";
        }

        void enforce() {
            if (missing.isEmpty()) {
                return;
            }
            if (ci) {
                Assertions.fail("CI=true and " + message());
            }
            Assumptions.abort(message());
        }
    }

    static boolean onPath(String path, String tool) {
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
