package io.securelake.platform.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.envs.Environment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts, stops and inspects one environment's local stack: the core child JVM (KDC, Kafka, HDFS,
 * KMS) and the lake-writer child JVM. {@code up} returns once both report ready (real readiness
 * signals), leaving them running in the background; {@code down} stops exactly the processes
 * {@code up} started (PID + start time).
 */
public final class LocalStackLauncher {
    private static final Duration WRITER_READY = Duration.ofSeconds(120);
    private static final Duration GRACE = Duration.ofSeconds(60);

    /** What {@link #up} did. */
    public enum UpOutcome { STARTED, ALREADY_RUNNING, RECOVERED }

    public record UpResult(UpOutcome outcome, CoreEndpoints endpoints) {
    }

    private final Environment env;
    private final PolicyEnforcement policies;
    private final StackHome home;
    private final LakeWriterService lakeWriter;

    public LocalStackLauncher(Environment env, PolicyEnforcement policies, StackHome home) {
        this.env = env;
        this.policies = policies;
        this.home = home;
        this.lakeWriter = new LakeWriterService(env, policies, home);
    }

    public StackHome home() {
        return home;
    }

    public UpResult up(Duration timeout, Consumer<String> progress) {
        CoreStack.requireEmbedded(env);
        Optional<ProcessRecord> previous = ProcessRecord.read(home.processFile());
        Optional<ProcessHandle> running = previous.flatMap(ProcessRecord::live);
        if (running.isPresent()) {
            CoreEndpoints endpoints = readEndpoints().orElseThrow(() -> new IllegalStateException(
                    "the core process " + running.get().pid() + " of " + env.name() + " is running but not ready yet (see "
                            + logFile() + "); wait, or run 'securelake down --env " + env.name() + "'"));
            if (lakeWriter.live().isPresent()) {
                return new UpResult(UpOutcome.ALREADY_RUNNING, endpoints);
            }
            progress.accept("the lake-writer of " + env.name() + " is not running; starting it");
            startLakeWriter(progress);
            return new UpResult(UpOutcome.RECOVERED, endpoints);
        }
        boolean recovered = previous.isPresent();
        if (recovered) {
            progress.accept("the previous core process " + previous.get().pid() + " of " + env.name()
                    + " is gone; starting a new one");
        }
        // Keys are re-issued with every core start: a writer of the old core holds a stale keytab.
        if (lakeWriter.stop(GRACE)) {
            progress.accept("stopped the lake-writer of the previous core");
        }
        home.create();
        try {
            Files.deleteIfExists(home.endpointsFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process core = ChildJvm.start(List.of("-Xmx1g", "-XX:+UseSerialGC"), CoreProcess.class.getName(),
                List.of(policies.envsDir().toString(), env.name(), home.root().toString(), policies.policiesDir().toString()),
                logFile());
        ProcessRecord.of(core.toHandle()).write(home.processFile());
        progress.accept("core process " + core.pid() + " starting (log: " + logFile() + ")");
        ChildJvm.awaitReady(core, home.root(),
                () -> readEndpoints().filter(e -> e.pid() == core.pid()).isPresent(), timeout, "the core process", logFile());
        startLakeWriter(progress);
        return new UpResult(recovered ? UpOutcome.RECOVERED : UpOutcome.STARTED, readEndpoints().orElseThrow());
    }

    private void startLakeWriter(Consumer<String> progress) {
        progress.accept("lake-writer starting (log: " + lakeWriter.log() + ")");
        lakeWriter.start(WRITER_READY);
        progress.accept("lake-writer running (pid " + lakeWriter.live().map(ProcessHandle::pid).orElse(-1L) + ")");
    }

    /** Stops the lake-writer (it commits what it holds), then the core; data is kept. */
    public boolean down(Duration grace, Consumer<String> progress) {
        lakeWriter.live().ifPresent(p -> progress.accept("stopping lake-writer " + p.pid() + " of " + env.name()));
        boolean writerStopped = lakeWriter.stop(grace);
        Optional<ProcessHandle> live = ProcessRecord.read(home.processFile()).flatMap(ProcessRecord::live);
        if (live.isPresent()) {
            progress.accept("stopping core process " + live.get().pid() + " of " + env.name());
            ChildJvm.stop(live.get(), grace);
        }
        deleteQuietly(home.processFile());
        deleteQuietly(home.endpointsFile());
        return live.isPresent() || writerStopped;
    }

    public StackStatus status() {
        Optional<ProcessRecord> record = ProcessRecord.read(home.processFile());
        Optional<ProcessHandle> live = record.flatMap(ProcessRecord::live);
        Optional<CoreEndpoints> endpoints = live.isPresent() ? readEndpoints() : Optional.empty();
        if (endpoints.isEmpty()) {
            return new StackStatus(env.name(), live.isPresent(), record.isPresent() && live.isEmpty(),
                    live.map(ProcessHandle::pid), Optional.empty(), false, false, false, Optional.empty(), Optional.empty());
        }
        return StackStatus.probe(env.name(), endpoints.get()).withLakeWriter(
                lakeWriter.status().filter(s -> lakeWriter.live().map(p -> p.pid() == s.path("pid").asLong()).orElse(false))
                        .or(() -> Optional.of(new ObjectMapper().createObjectNode().put("state",
                                lakeWriter.recordedButDead() ? "died" : "not running"))));
    }

    public Optional<CoreEndpoints> readEndpoints() {
        Path file = home.endpointsFile();
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ObjectMapper().readValue(file.toFile(), CoreEndpoints.class));
        } catch (IOException e) {
            return Optional.empty(); // being replaced: the writer moves a complete file in atomically
        }
    }

    public Path logFile() {
        return home.logsDir().resolve("core.log");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover file is re-checked against the live PID next time
        }
    }
}
