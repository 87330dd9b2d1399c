package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.StackHome;
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
    private static final Duration QUERY_READY = Duration.ofSeconds(240);
    private static final Duration GATEWAY_READY = Duration.ofSeconds(180);
    private static final Duration GRACE = Duration.ofSeconds(60);

    /** What {@link #up} did. */
    public enum UpOutcome { STARTED, ALREADY_RUNNING, RECOVERED }

    public record UpResult(UpOutcome outcome, CoreEndpoints endpoints) {
    }

    private final Environment env;
    private final PolicyEnforcement policies;
    private final StackHome home;
    private final LakeWriterService lakeWriter;
    private final QueryService query;
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
        this.lakeWriter = new LakeWriterService(env, policies, home);
        this.query = new QueryService(env, policies, home);
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

    public UpResult up(Duration timeout, Consumer<String> progress) {
        CoreStack.requireEmbedded(env);
        Optional<ProcessRecord> previous = ProcessRecord.read(home.processFile());
        Optional<ProcessHandle> running = previous.flatMap(ProcessRecord::live);
        if (running.isPresent()) {
            CoreEndpoints endpoints = readEndpoints().orElseThrow(() -> new IllegalStateException(
                    "the core process " + running.get().pid() + " of " + env.name() + " is running but not ready yet (see "
                            + logFile() + "); wait, or run 'securelake down --env " + env.name() + "'"));
            boolean started = startMissingServices(endpoints, progress);
            return new UpResult(started ? UpOutcome.RECOVERED : UpOutcome.ALREADY_RUNNING, endpoints);
        }
        boolean recovered = previous.isPresent();
        if (recovered) {
            progress.accept("the previous core process " + previous.get().pid() + " of " + env.name()
                    + " is gone; starting a new one");
        }
        // Keys are re-issued with every core start: services of the old core hold stale keytabs.
        if (gateway.service().stop(GRACE) | query.service().stop(GRACE) | lakeWriter.stop(GRACE)) {
            progress.accept("stopped the services of the previous core");
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
        CoreEndpoints endpoints = readEndpoints().orElseThrow();
        startMissingServices(endpoints, progress);
        return new UpResult(recovered ? UpOutcome.RECOVERED : UpOutcome.STARTED, endpoints);
    }

    /** Starts whichever of lake-writer, query server and gateway is not running; true if any was started. */
    private boolean startMissingServices(CoreEndpoints endpoints, Consumer<String> progress) {
        boolean started = false;
        if (lakeWriter.live().isEmpty()) {
            progress.accept("lake-writer starting (log: " + lakeWriter.log() + ")");
            lakeWriter.start(WRITER_READY);
            progress.accept("lake-writer running (pid " + lakeWriter.live().map(ProcessHandle::pid).orElse(-1L) + ")");
            started = true;
        }
        if (distribution.isEmpty()) {
            return started;
        }
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        if (query.service().live().isEmpty()) {
            progress.accept("query server (Spark Thrift Server, Ranger in Spark SQL) starting on "
                    + io.securelake.envs.EnvironmentNames.LOCAL_QUERY_HOST + ":" + ports.queryServer()
                    + " (log: " + query.service().log() + ")");
            query.start(distribution.get(), endpoints, ports.queryServer(), QUERY_READY);
            progress.accept("query server running (" + describe(query.service()) + ")");
            started = true;
        }
        if (gateway.service().live().isEmpty()) {
            progress.accept("Knox gateway starting on https://" + LocalRealm.HOST + ":" + ports.gateway()
                    + " (log: " + gateway.service().log() + ")");
            gateway.start(distribution.get(), endpoints, ports.gateway(), ports.ldap(), ports.queryServer(), GATEWAY_READY);
            progress.accept("Knox gateway running (" + describe(gateway.service()) + ")");
            started = true;
        }
        return started;
    }

    /** "pid N, as OS user U" or "pid N, logical isolation only: reason". */
    private static String describe(ChildService<?> child) {
        return child.live().map(p -> {
            com.fasterxml.jackson.databind.node.ObjectNode i = child.observedIsolation(p);
            return "pid " + p.pid() + (Isolation.OS_USERS.equals(i.path("isolation").asText())
                    ? ", as OS user " + i.path("os_user").asText()
                    : ", logical isolation only: " + i.path("isolation_reason").asText());
        }).orElse("not running");
    }

    /** Stops the lake-writer (it commits what it holds), then the core; data is kept. */
    public boolean down(Duration grace, Consumer<String> progress) {
        boolean servicesStopped = false;
        for (ChildService<?> child : List.<ChildService<?>>of(gateway.service(), query.service())) {
            child.live().ifPresent(p -> progress.accept("stopping " + child.name() + " " + p.pid() + " of " + env.name()));
            servicesStopped |= child.stop(grace);
        }
        lakeWriter.live().ifPresent(p -> progress.accept("stopping lake-writer " + p.pid() + " of " + env.name()));
        boolean writerStopped = lakeWriter.stop(grace) | servicesStopped;
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
                    live.map(ProcessHandle::pid), Optional.empty(), false, false, false, Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }
        return StackStatus.probe(env.name(), endpoints.get()).withLakeWriter(Optional.of(lakeWriter.report()))
                .withQueryAndGateway(distribution.map(d -> query.service().report(true)),
                        distribution.map(d -> gateway.service().report(true)));
    }

    /**
     * The core's endpoints, when it has announced them; a file that breaks the contract is an error naming it (the core
     * replaces the file atomically, so it is never half written: it is a core of another build, or a bug).
     */
    public Optional<CoreEndpoints> readEndpoints() {
        return CoreEndpoints.readIfPresent(home.endpointsFile());
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
