package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.supervision.ChildState;
import io.securelake.contracts.supervision.SupervisionStatus;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts, stops and inspects one environment's local stack from the command line. {@code up} starts the stack's
 * supervisor in the background ({@link SupervisorProcess}), which starts the core (KDC, Kafka, HDFS, KMS), the
 * lake-writer, the query server and the gateway and keeps them running; {@code up} returns once the supervisor says
 * all are ready, showing its progress. {@code down} asks the supervisor to stop them all (SIGTERM), then stops
 * whatever is still recorded (a supervisor that died leaves its children running); it stops exactly the processes
 * that were started (PID + start time).
 */
public final class LocalStackLauncher {
    /** What the services need beyond the core's start, at most: the lake-writer's, query server's and gateway's waits. */
    private static final Duration SERVICES_READY = Duration.ofMinutes(9);
    private static final Duration SUPERVISOR_STOP = SupervisorProcess.STOP_BUDGET;

    /** What {@link #up} did. */
    public enum UpOutcome { STARTED, ALREADY_RUNNING, RECOVERED }

    public record UpResult(UpOutcome outcome, CoreEndpoints endpoints) {
    }

    private final Environment env;
    private final PolicyEnforcement policies;
    private final StackHome home;
    private final GatewayService gateway;
    private final Optional<Distribution> distribution;

    /**
     * @param distribution where the query server's and the gateway's own class paths are built; without
     *                     it the stack runs the core and the lake-writer only (ingest and raw zone)
     */
    public LocalStackLauncher(Environment env, PolicyEnforcement policies, StackHome home, Optional<Distribution> distribution) {
        this.env = env;
        this.policies = policies;
        this.home = home;
        this.gateway = new GatewayService(env, policies, home);
        this.distribution = distribution;
    }

    public LocalStackLauncher(Environment env, PolicyEnforcement policies, StackHome home) {
        this(env, policies, home, Optional.empty());
    }

    /** People's passwords in the local directory (demo, tests): {@code .securelake/<env>/people-passwords.properties}. */
    public Optional<String> directoryPassword(String person) {
        return gateway.password(person);
    }

    public Path directoryPasswordsFile() {
        return gateway.passwordsFile();
    }

    public StackHome home() {
        return home;
    }

    /** The processes of the stack, as this process sees them (it is not their parent). */
    private StackStarter processes(Duration coreReady) {
        return new StackStarter(env, policies, home, distribution, coreReady);
    }

    /**
     * Makes sure a supervisor keeps the stack running and every process is ready: starts a supervisor when none runs
     * (it adopts whatever still runs and starts the rest), or asks the running one to start again what it gave up on.
     *
     * @param timeout how long the core may take to be ready; the services have their own limits on top
     */
    public UpResult up(Duration timeout, Consumer<String> progress) {
        CoreStack.requireEmbedded(env);
        return exclusively(() -> upAlone(timeout, progress));
    }

    /**
     * Runs {@code action} while holding the stack home's launcher lock: two {@code up}s at once would start two
     * supervisors; the second waits for the first and finds the stack running.
     */
    private <T> T exclusively(java.util.function.Supplier<T> action) {
        Path lock = home.root().resolve("launcher.lock");
        if (!Files.isDirectory(home.root())) {
            home.create(); // only when new: create() makes the home owner-only again, and running services traverse it
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
                java.util.Set.of(java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE),
                // owner-only: the services' OS users traverse the home, and must not hold the lock
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
             java.nio.channels.FileLock held = channel.lock()) {
            return action.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lock, e);
        }
    }

    private UpResult upAlone(Duration timeout, Consumer<String> progress) {
        StackStarter processes = processes(timeout);
        Duration wait = timeout.plus(SERVICES_READY);
        Optional<ProcessHandle> supervisor = supervisorProcess();
        if (supervisor.isPresent()) {
            Optional<SupervisionStatus> report = supervision(supervisor.get());
            boolean allRunning = report.filter(r -> r.ready() && r.children().stream().allMatch(c -> c.state().healthy()))
                    .isPresent();
            if (!allRunning) {
                if (report.stream().flatMap(r -> r.children().stream()).anyMatch(c -> c.state() == ChildState.FAILED)) {
                    progress.accept("asking the supervisor (pid " + supervisor.get().pid() + ") to start what it gave up on");
                    requestRetry();
                }
                awaitAllRunning(supervisor.get(), wait, progress);
            }
            return new UpResult(allRunning ? UpOutcome.ALREADY_RUNNING : UpOutcome.RECOVERED, readEndpoints().orElseThrow());
        }
        boolean died = processes.coreRecordedButDead() || supervisorRecordedButDead();
        boolean allAlive = processes.live().keySet().containsAll(processes.children());
        if (processes.live().isEmpty()) {
            home.create(); // not under running services: it makes the home owner-only, and they traverse it
        }
        deleteQuietly(home.supervisionFile());
        deleteQuietly(home.supervisorRetryFile());
        if (allAlive) {
            progress.accept("the processes of " + env.name() + " run without a supervisor; starting one to watch them");
        }
        LogFollower log = LogFollower.fromEnd(supervisorLog());
        Process started = ChildJvm.start(List.of("-Xmx128m", "-XX:+UseSerialGC"), SupervisorProcess.class.getName(),
                List.of(policies.envsDir().toString(), env.name(), home.root().toString(), policies.policiesDir().toString(),
                        distribution.map(d -> d.projectDir().toString()).orElse("-"), Long.toString(timeout.toSeconds())),
                supervisorLog());
        ProcessRecord.of(started.toHandle()).write(home.supervisorProcessFile());
        progress.accept("supervisor " + started.pid() + " starting the " + env.name() + " stack (log: " + supervisorLog() + ")");
        ChildJvm.awaitReady(started, home.root(), () -> {
            log.relay(progress);
            return supervision(started.toHandle()).map(r -> {
                if (r.problem() != null) {
                    throw new IllegalStateException(r.problem() + " (see " + supervisorLog() + ")");
                }
                return r.ready();
            }).orElse(false);
        }, wait, "the supervisor", supervisorLog());
        log.relay(progress);
        return new UpResult(allAlive ? UpOutcome.ALREADY_RUNNING : died ? UpOutcome.RECOVERED : UpOutcome.STARTED,
                readEndpoints().orElseThrow());
    }

    /** Waits until the running supervisor reports every child running; fails when it gives one up or ends. */
    private void awaitAllRunning(ProcessHandle supervisor, Duration timeout, Consumer<String> progress) {
        LogFollower log = LogFollower.fromEnd(supervisorLog());
        java.time.Instant deadline = java.time.Instant.now().plus(timeout);
        try (java.nio.file.WatchService watch = home.root().getFileSystem().newWatchService()) {
            home.root().register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                log.relay(progress);
                // Looked at before the report is read: the supervisor publishes the retried children's new state and
                // only then removes the request, so a report read after the request is gone is never the stale one
                // that still says "failed" (read the other way round, 'up' failed on the failure it had just cleared).
                boolean retryPending = Files.exists(home.supervisorRetryFile());
                Optional<SupervisionStatus> r = supervision(supervisor);
                if (r.filter(s -> s.ready() && s.children().stream().allMatch(c -> c.state().healthy())).isPresent()) {
                    return;
                }
                Optional<String> failed = r.stream().flatMap(s -> s.children().stream())
                        .filter(c -> c.state() == ChildState.FAILED && !retryPending)
                        .map(c -> c.problem()).findFirst();
                if (failed.isPresent()) {
                    throw new IllegalStateException(failed.get() + " (see " + home.logsDir() + ")");
                }
                if (!supervisor.isAlive()) {
                    throw new IllegalStateException("the supervisor of " + env.name() + " ended; see " + supervisorLog());
                }
                Duration left = Duration.between(java.time.Instant.now(), deadline);
                if (left.isNegative()) {
                    throw new IllegalStateException("the " + env.name() + " stack was not running again within " + timeout
                            + "; see " + home.logsDir());
                }
                java.nio.file.WatchKey key = watch.poll(Math.min(1000, left.toMillis() + 1), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the supervisor", e);
        }
    }

    private void requestRetry() {
        try {
            io.securelake.contracts.files.DurableLocalFiles.writeAtomically(home.supervisorRetryFile(),
                    "retry\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    io.securelake.contracts.files.DurableLocalFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot ask the supervisor to retry: " + home.supervisorRetryFile(), e);
        }
    }

    /**
     * Stops the supervisor, which stops the gateway and the query server, then the lake-writer (it commits what it
     * holds), then the core; then stops whatever is still recorded. Data is kept.
     */
    public boolean down(Duration grace, Consumer<String> progress) {
        return exclusively(() -> downAlone(grace, progress));
    }

    private boolean downAlone(Duration grace, Consumer<String> progress) {
        boolean stopped = false;
        Optional<ProcessHandle> supervisor = supervisorProcess();
        if (supervisor.isPresent()) {
            LogFollower log = LogFollower.fromEnd(supervisorLog());
            progress.accept("stopping the supervisor " + supervisor.get().pid() + " of " + env.name()
                    + " (it stops the processes it keeps running)");
            supervisor.get().destroy();
            java.time.Instant deadline = java.time.Instant.now().plus(SUPERVISOR_STOP);
            while (supervisor.get().isAlive() && java.time.Instant.now().isBefore(deadline)) {
                try {
                    supervisor.get().onExit().get(1, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    log.relay(progress);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while stopping the supervisor", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            if (supervisor.get().isAlive()) {
                progress.accept("the supervisor did not stop within " + SUPERVISOR_STOP + "; killing it");
                ChildJvm.stop(supervisor.get(), Duration.ZERO);
            }
            log.relay(progress);
            stopped = true;
        }
        stopped |= processes(Duration.ZERO).stopAll(grace, progress);
        deleteQuietly(home.supervisorProcessFile());
        deleteQuietly(home.supervisionFile());
        deleteQuietly(home.supervisorRetryFile());
        return stopped;
    }

    public StackStatus status() {
        StackStarter processes = processes(Duration.ZERO);
        boolean live = processes.coreRunning();
        Optional<ProcessHandle> supervisor = supervisorProcess();
        Supervision supervision = new Supervision(supervisor.isPresent(), supervisor.flatMap(this::supervision));
        Optional<CoreEndpoints> endpoints = live ? readEndpoints() : Optional.empty();
        if (endpoints.isEmpty()) {
            return new StackStatus(env.name(), live, processes.coreRecordedButDead(), supervisor.map(ProcessHandle::pid),
                    Optional.empty(), false, false, false, Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.of(supervision));
        }
        return StackStatus.probe(env.name(), endpoints.get())
                .withDied(processes.coreRecordedButDead())
                .withLakeWriter(Optional.of(processes.lakeWriter().report()))
                .withQueryAndGateway(distribution.map(d -> processes.query().service().report(true)),
                        distribution.map(d -> processes.gateway().service().report(true)))
                .withSupervision(supervision);
    }

    /** The supervisor's report, when it is {@code supervisor}'s; a report of an earlier supervisor is stale. */
    private Optional<SupervisionStatus> supervision(ProcessHandle supervisor) {
        return SupervisionStatus.readIfPresent(home.supervisionFile()).filter(r -> r.supervisorPid() == supervisor.pid());
    }

    private Optional<ProcessHandle> supervisorProcess() {
        return ProcessRecord.read(home.supervisorProcessFile()).flatMap(ProcessRecord::live);
    }

    private boolean supervisorRecordedButDead() {
        return ProcessRecord.read(home.supervisorProcessFile()).isPresent() && supervisorProcess().isEmpty();
    }

    public Path supervisorLog() {
        return home.logsDir().resolve("supervisor.log");
    }

    /**
     * The core's endpoints, when it has announced them; a file that breaks the contract is an error naming it (the core
     * replaces the file atomically, so it is never half written: it is a core of another build, or a bug).
     */
    public Optional<CoreEndpoints> readEndpoints() {
        return CoreEndpoints.readIfPresent(home.endpointsFile());
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover file is re-checked against the live PID next time
        }
    }
}
