package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The packaged CLI ({@code bin/securelake}) as a user runs it, with its own stack home. */
record PackagedCli(Path securelakeHome) {
    static final Path PROJECT = ShippedEnvironments.envsDir().getParent();
    static final Path CLI = PROJECT.resolve("bin/securelake");

    record Result(int exit, String out) {
    }

    Result run(String... args) throws IOException, InterruptedException {
        return run(Map.of(), args);
    }

    Result run(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI.toString()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SECURELAKE_HOME", securelakeHome.toString());
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        p.getOutputStream().close();
        // Read beside the wait, so that a CLI that hangs fails the test after the timeout instead of hanging it.
        java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertThat(p.isAlive()).as("%s finished within 5 minutes", command).isFalse();
        return new Result(p.exitValue(), out.join());
    }

    JsonNode status(String env) throws IOException, InterruptedException {
        return new ObjectMapper().readTree(run("status", "--env", env, "--json").out());
    }

    /** A person's directory password, from the local stack's file (root's alone). */
    String password(String env, String person) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(securelakeHome.resolve(env).resolve("people-passwords.properties"))) {
            p.load(in);
        }
        return p.getProperty(person);
    }

    Result query(String env, String person, String sql) throws IOException, InterruptedException {
        return run(Map.of("SECURELAKE_PASSWORD", password(env, person)), "query", "--env", env, "--user", person, sql);
    }
}
