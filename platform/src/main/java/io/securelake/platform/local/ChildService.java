package io.securelake.platform.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A long-running child JVM of the local stack that reports itself in {@code <stateDir>/status.json}
 * (its PID and {@code state: running} once ready), recorded by PID and start time so that {@code down}
 * stops exactly it. The lake-writer, the query server and the gateway are such services.
 */
final class ChildService {
    private final String name;
    private final StackHome home;

    private final String statusFileName;

    ChildService(String name, StackHome home) {
        this(name, home, "status.json");
    }

    /** @param statusFileName the file the child writes when ready (with its {@code pid}) */
    ChildService(String name, StackHome home, String statusFileName) {
        this.name = name;
        this.home = home;
        this.statusFileName = statusFileName;
    }

    String name() {
        return name;
    }

    Path stateDir() {
        return home.root().resolve(name);
    }

    Path log() {
        return home.logsDir().resolve(name + ".log");
    }

    Path statusFile() {
        return stateDir().resolve(statusFileName);
    }

    private Path processFile() {
        return home.root().resolve(name + ".process");
    }

    Optional<ProcessHandle> live() {
        return ProcessRecord.read(processFile()).flatMap(ProcessRecord::live);
    }

    boolean recordedButDead() {
        return ProcessRecord.read(processFile()).isPresent() && live().isEmpty();
    }

    /** Starts the child ({@code launch} spawns it) and waits until its status file says it runs. */
    void start(Supplier<Process> launch, Duration timeout) {
        try {
            Files.createDirectories(stateDir());
            Files.deleteIfExists(statusFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Process p = launch.get();
        ProcessRecord.of(p.toHandle()).write(processFile());
        ChildJvm.awaitReady(p, stateDir(), () -> status().filter(s -> s.path("pid").asLong() == p.pid())
                .map(s -> "running".equals(s.path("state").asText("running"))).orElse(false), timeout, "the " + name, log());
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

    /** The reported status of the live process; "not running" or "died" otherwise. */
    JsonNode reportedStatus() {
        Optional<JsonNode> reported = status().filter(s -> live().map(p -> p.pid() == s.path("pid").asLong()).orElse(false))
                .map(s -> s.has("state") ? s : ((com.fasterxml.jackson.databind.node.ObjectNode) s.deepCopy()).put("state", "running"));
        return reported.orElseGet(() -> new ObjectMapper().createObjectNode()
                .put("state", recordedButDead() ? "died" : "not running"));
    }

    /** Writes a settings file for the child into its state directory, readable by the owner only (it names secrets). */
    Path writePrivate(String fileName, String content) {
        Path file = stateDir().resolve(fileName);
        try {
            Files.createDirectories(stateDir());
            Files.deleteIfExists(file);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    Optional<JsonNode> status() {
        Path file = statusFile();
        try {
            return Files.exists(file) ? Optional.of(new ObjectMapper().readTree(file.toFile())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // being replaced
        }
    }
}
