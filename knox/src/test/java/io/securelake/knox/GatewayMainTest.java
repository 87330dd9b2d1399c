package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.testsupport.ShippedEnvironments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the platform sees a gateway that cannot start: an exit code and a message naming the problem. */
class GatewayMainTest {
    @TempDir
    Path dir;

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                GatewayMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorExitsWith2() throws Exception {
        Result r = run("--conf");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("usage: GatewayMain --config <gateway.json>");
    }

    @Test
    void invalidConfigExitsWith2NamingTheFields() throws Exception {
        Path f = dir.resolve("gateway.json");
        Files.writeString(f, "{\"environment\": \"dev\", \"port\": 70000}");
        Result r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.output()).contains("invalid gateway config").contains("envs_dir").contains("port: 0 (pick a free port)")
                .contains("krb5_conf");
    }

    @Test
    void aGatewayThatCannotStartExitsWith1AndSaysWhy() throws Exception {
        Path policies = dir.resolve("policies");
        Files.createDirectories(policies.resolve("dev")); // no dev_knox.json
        Path f = dir.resolve("gateway.json");
        Files.writeString(f, "{\"environment\": \"dev\", \"envs_dir\": \"" + ShippedEnvironments.envsDir() + "\","
                + "\"policies_dir\": \"" + policies + "\", \"state_dir\": \"state\", \"audit_dir\": \"audit\","
                + "\"people_passwords\": \"people.properties\", \"hive_url\": \"http://localhost:1/cliservice\","
                + "\"webhdfs_url\": \"http://localhost:1/webhdfs\", \"backend_kerberos\": false}");
        Result r = run("--config", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.output()).contains("the dev gateway could not start").contains("dev_knox");
        assertThat(dir.resolve("state/ready.json")).doesNotExist();
    }
}
