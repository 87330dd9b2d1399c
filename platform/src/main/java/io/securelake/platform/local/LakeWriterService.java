package io.securelake.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.envs.Environment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The environment's lake-writer as its own background process (restartable on its own), started by
 * {@code up} once the core is ready. Its readiness and figures come from the status file it replaces
 * atomically every few seconds.
 */
final class LakeWriterService {
    static final String MAIN = "io.securelake.lakewriter.LakeWriterMain";

    private final Environment env;
    private final PolicyEnforcement layout;
    private final StackHome home;

    LakeWriterService(Environment env, PolicyEnforcement layout, StackHome home) {
        this.env = env;
        this.layout = layout;
        this.home = home;
    }

    Path stateDir() {
        return home.root().resolve("lake-writer");
    }

    Path log() {
        return home.logsDir().resolve("lake-writer.log");
    }

    private Path processFile() {
        return home.root().resolve("lake-writer.process");
    }

    Optional<ProcessHandle> live() {
        return ProcessRecord.read(processFile()).flatMap(ProcessRecord::live);
    }

    boolean recordedButDead() {
        return ProcessRecord.read(processFile()).isPresent() && live().isEmpty();
    }

    /** Starts the writer and waits until it reports {@code running}. */
    void start(Duration timeout) {
        Process p = ChildJvm.start(List.of("-Xmx384m", "-XX:+UseSerialGC"), MAIN,
                List.of("--env", env.name(), "--envs-dir", layout.envsDir().toString(),
                        "--endpoints", home.endpointsFile().toString(), "--state-dir", stateDir().toString(),
                        "--schemas-dir", layout.envsDir().resolve("schemas").toString(),
                        "--set", "roll.interval.ms=" + env.lakeWriter().rollInterval().toMillis()), log());
        ProcessRecord.of(p.toHandle()).write(processFile());
        ChildJvm.awaitReady(p, stateDir(), () -> status().filter(s -> s.path("pid").asLong() == p.pid())
                .map(s -> "running".equals(s.path("state").asText())).orElse(false), timeout, "the lake-writer", log());
    }

    boolean stop(Duration grace) {
        Optional<ProcessHandle> p = live();
        p.ifPresent(h -> ChildJvm.stop(h, grace));
        try {
            Files.deleteIfExists(processFile());
        } catch (IOException ignored) {
            // re-checked against the live PID next time
        }
        return p.isPresent();
    }

    Optional<JsonNode> status() {
        Path file = stateDir().resolve("status.json");
        try {
            return Files.exists(file) ? Optional.of(new ObjectMapper().readTree(file.toFile())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // being replaced
        }
    }
}
