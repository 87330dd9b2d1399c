package io.securelake.platform.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.envs.Environment;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts, stops and inspects the core child JVM of one environment. {@code up} returns once the
 * child has written its endpoints (real readiness), leaving it running in the background;
 * {@code down} stops exactly the process {@code up} started.
 */
public final class LocalStackLauncher {
    private static final int LOG_TAIL_LINES = 40;

    /** What {@link #up} did. */
    public enum UpOutcome { STARTED, ALREADY_RUNNING, RECOVERED }

    public record UpResult(UpOutcome outcome, CoreEndpoints endpoints) {
    }

    private final Environment env;
    private final PolicyEnforcement policies;
    private final StackHome home;

    public LocalStackLauncher(Environment env, PolicyEnforcement policies, StackHome home) {
        this.env = env;
        this.policies = policies;
        this.home = home;
    }

    public StackHome home() {
        return home;
    }

    public UpResult up(Duration timeout, Consumer<String> progress) {
        CoreStack.requireEmbedded(env);
        Optional<CoreProcessRecord> previous = CoreProcessRecord.read(home.processFile());
        Optional<ProcessHandle> running = previous.flatMap(CoreProcessRecord::live);
        if (running.isPresent()) {
            Optional<CoreEndpoints> endpoints = readEndpoints();
            if (endpoints.isPresent()) {
                return new UpResult(UpOutcome.ALREADY_RUNNING, endpoints.get());
            }
            throw new IllegalStateException("the core process " + running.get().pid() + " of " + env.name()
                    + " is running but not ready yet (see " + logFile() + "); wait, or run 'securelake down --env "
                    + env.name() + "'");
        }
        boolean recovered = previous.isPresent();
        if (recovered) {
            progress.accept("the previous core process " + previous.get().pid() + " of " + env.name()
                    + " is gone; starting a new one");
        }
        home.create();
        try {
            Files.deleteIfExists(home.endpointsFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process process = spawn();
        CoreProcessRecord.of(process.toHandle()).write(home.processFile());
        progress.accept("core process " + process.pid() + " starting (log: " + logFile() + ")");
        CoreEndpoints endpoints = awaitReady(process, timeout);
        return new UpResult(recovered ? UpOutcome.RECOVERED : UpOutcome.STARTED, endpoints);
    }

    private Process spawn() {
        List<String> command = new ArrayList<>();
        // setsid detaches the core from the terminal's session: closing the shell does not stop it.
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx1g", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                "-Dcom.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize=true",
                "--add-exports", "java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                CoreProcess.class.getName(), policies.envsDir().toString(), env.name(), home.root().toString(),
                policies.policiesDir().toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the core process: " + e.getMessage(), e);
        }
    }

    /** Waits for endpoints.json (written atomically by the child when ready), the child's death, or the timeout. */
    private CoreEndpoints awaitReady(Process process, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        try (WatchService watch = home.root().getFileSystem().newWatchService()) {
            home.root().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                Optional<CoreEndpoints> endpoints = readEndpoints().filter(e -> e.pid() == process.pid());
                if (endpoints.isPresent()) {
                    return endpoints.get();
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the core process exited with code " + process.exitValue()
                            + " before it was ready. Last lines of " + logFile() + ":\n" + logTail());
                }
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative()) {
                    process.destroy();
                    throw new IllegalStateException("the core process was not ready within " + timeout
                            + " and was stopped. Last lines of " + logFile() + ":\n" + logTail());
                }
                // Wake on any change in the home directory, and at least every second to notice a dead child.
                var key = watch.poll(Math.min(1000, left.toMillis() + 1), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClosedWatchServiceException | InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the core process", e);
        }
    }

    /** Stops the recorded core process (SIGTERM, then SIGKILL after the grace period). */
    public boolean down(Duration grace, Consumer<String> progress) {
        Optional<CoreProcessRecord> record = CoreProcessRecord.read(home.processFile());
        Optional<ProcessHandle> live = record.flatMap(CoreProcessRecord::live);
        if (live.isEmpty()) {
            deleteQuietly(home.processFile());
            deleteQuietly(home.endpointsFile());
            return false;
        }
        ProcessHandle p = live.get();
        progress.accept("stopping core process " + p.pid() + " of " + env.name());
        p.destroy();
        try {
            p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            progress.accept("core process " + p.pid() + " did not stop within " + grace + "; killing it");
            p.destroyForcibly();
            p.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the core process", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        deleteQuietly(home.processFile());
        deleteQuietly(home.endpointsFile());
        return true;
    }

    public StackStatus status() {
        Optional<CoreProcessRecord> record = CoreProcessRecord.read(home.processFile());
        Optional<ProcessHandle> live = record.flatMap(CoreProcessRecord::live);
        Optional<CoreEndpoints> endpoints = live.isPresent() ? readEndpoints() : Optional.empty();
        if (endpoints.isEmpty()) {
            return new StackStatus(env.name(), live.isPresent(), record.isPresent() && live.isEmpty(),
                    live.map(ProcessHandle::pid), Optional.empty(), false, false, false, Optional.empty());
        }
        return StackStatus.probe(env.name(), endpoints.get());
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

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover file is re-checked against the live PID next time
        }
    }
}
