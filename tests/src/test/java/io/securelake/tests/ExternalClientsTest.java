package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The decision of {@link ExternalClients}, independent of what this machine has installed. */
class ExternalClientsTest {
    static final Set<String> ONLY_CURL = Set.of("curl");

    @Test
    void inCiAMissingToolFailsTheTestNamingToolAndPackages() {
        var r = ExternalClients.check(Map.of("CI", "true"), ONLY_CURL::contains, "kinit", "kcat", "curl");
        assertThat(r.missing()).containsExactly("kinit", "kcat");
        assertThatThrownBy(r::enforce).isInstanceOf(AssertionFailedError.class)
                .hasMessage("CI=true and kinit, kcat not found on PATH; install it with: "
                        + "sudo apt-get install krb5-user kcat libsasl2-modules-gssapi-mit (.ci/run does this in CI)");
    }

    @Test
    void onADevelopersMachineAMissingToolSkipsTheTestWithTheSameAdvice() {
        for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("CI", "false"))) {
            var r = ExternalClients.check(env, ONLY_CURL::contains, "kinit", "klist");
            assertThatThrownBy(r::enforce).as("CI=%s", env.get("CI")).isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("kinit, klist not found on PATH")
                    .hasMessageContaining("sudo apt-get install krb5-user (");
        }
    }

    @Test
    void nothingHappensWhenEveryToolIsThere() {
        var r = ExternalClients.check(Map.of("CI", "true"), ONLY_CURL::contains, "curl");
        assertThat(r.missing()).isEmpty();
        assertThatCode(r::enforce).doesNotThrowAnyException();
    }

    @Test
    void thePathLookupFindsOnlyExecutables(@TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createFile(bin.resolve("kcat"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.createFile(bin.resolve("curl"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        String path = tmp.resolve("elsewhere") + ":" + bin;
        assertThat(ExternalClients.onPath(path, "kcat")).isTrue();
        assertThat(ExternalClients.onPath(path, "curl")).as("not executable").isFalse();
        assertThat(ExternalClients.onPath(path, "kinit")).isFalse();
        assertThat(ExternalClients.onPath("", "kcat")).isFalse();
    }
}
