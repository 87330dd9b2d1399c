package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Starts and stops the child JVMs of one environment's local stack, in this process: the core (KDC, Kafka, HDFS,
 * KMS), then the lake-writer, the query server and the gateway, each waited for on its own readiness signal. The
 * supervisor runs it, so that every child is its child: it learns how each one ended.
 */
final class StackStarter implements SupervisedProcesses {
    static final String CORE = io.securelake.contracts.supervision.SupervisedChild.CORE;
    private static final Duration WRITER_READY = Duration.ofSeconds(120);
    private static final Duration QUERY_READY = Duration.ofSeconds(240);
    private static final Duration GATEWAY_READY = Duration.ofSeconds(180);
    private static final Duration GRACE = Duration.ofSeconds(60);

    private final Environment env;
    private final PolicyEnforcement policies;
    private final StackHome home;
    private final LakeWriterService lakeWriter;
    private final QueryService query;
    private final GatewayService gateway;
    private final Optional<Distribution> distribution;
    private final Duration coreReady;

    StackStarter(Environment env, PolicyEnforcement policies, StackHome home, Optional<Distribution> distribution,
                 Duration coreReady) {
        this.env = env;
        this.policies = policies;
        this.home = home;
        this.lakeWriter = new LakeWriterService(env, policies, home);
        this.query = new QueryService(env, policies, home);
        this.gateway = new GatewayService(env, policies, home);
        this.distribution = distribution;
        this.coreReady = coreReady;
    }

    /** The children in start order: the core, the lake-writer, then (with a distribution) the query server and the gateway. */
    @Override
    public List<String> children() {
        return distribution.isPresent() ? List.of(CORE, lakeWriter.name(), query.service().name(), gateway.service().name())
                : List.of(CORE, lakeWriter.name());
    }

    @Override
    public Map<String, ProcessHandle> live() {
        Map<String, ProcessHandle> live = new LinkedHashMap<>();
        coreProcess().ifPresent(p -> live.put(CORE, p));
        lakeWriter.live().ifPresent(p -> live.put(lakeWriter.name(), p));
        if (distribution.isPresent()) {
            query.service().live().ifPresent(p -> live.put(query.service().name(), p));
            gateway.service().live().ifPresent(p -> live.put(gateway.service().name(), p));
        }
        return live;
    }

    /**
     * Starts those of {@code wanted} that do not run. A core that does not run is started first, and then every
     * service is (re)started with it. Keys no longer require this (the KDC keeps them across restarts in its realm
     * secret store, so the old services' keytabs and tickets stay valid); that the services survive the rest of a
     * core restart on their own is not established yet, so they are still restarted.
     */
    @Override
    public void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started) {
        Optional<CoreEndpoints> endpoints = coreProcess().flatMap(p -> readEndpoints());
        if (endpoints.isEmpty()) {
            if (coreProcess().isPresent()) {
                throw new IllegalStateException("the core process " + coreProcess().get().pid() + " of " + env.name()
                        + " is running but not ready (see " + coreLog() + ")");
            }
            if (gateway.service().stop(GRACE) | query.service().stop(GRACE) | lakeWriter.stop(GRACE)) {
                progress.accept("stopped the services of the previous core");
            }
            startCore(progress, started);
            endpoints = readEndpoints();
            wanted = Set.copyOf(children());
        }
        CoreEndpoints e = endpoints.orElseThrow();
        if (wanted.contains(lakeWriter.name()) && lakeWriter.live().isEmpty()) {
            progress.accept("lake-writer starting (log: " + lakeWriter.log() + ")");
            Process p = lakeWriter.start(WRITER_READY, spawned -> started.accept(lakeWriter.name(), spawned));
            progress.accept("lake-writer running (pid " + p.pid() + ")");
        }
        if (distribution.isEmpty()) {
            return;
        }
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        if (wanted.contains(query.service().name()) && query.service().live().isEmpty()) {
            progress.accept("query server (Spark Thrift Server, Ranger in Spark SQL) starting on "
                    + EnvironmentNames.LOCAL_QUERY_HOST + ":" + ports.queryServer() + " (log: " + query.service().log() + ")");
            query.start(distribution.get(), e, ports.queryServer(), QUERY_READY,
                    spawned -> started.accept(query.service().name(), spawned));
            progress.accept("query server running (" + describe(query.service()) + ")");
        }
        if (wanted.contains(gateway.service().name()) && gateway.service().live().isEmpty()) {
            progress.accept("Knox gateway starting on https://" + LocalRealm.HOST + ":" + ports.gateway()
                    + " (log: " + gateway.service().log() + ")");
            gateway.start(distribution.get(), e, ports.gateway(), ports.ldap(), ports.queryServer(), GATEWAY_READY,
                    spawned -> started.accept(gateway.service().name(), spawned));
            progress.accept("Knox gateway running (" + describe(gateway.service()) + ")");
        }
    }

    private void startCore(Consumer<String> progress, BiConsumer<String, Process> started) {
        home.create();
        try {
            Files.deleteIfExists(home.endpointsFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process core = ChildJvm.start(List.of("-Xmx1g", "-XX:+UseSerialGC"), CoreProcess.class.getName(),
                List.of(policies.envsDir().toString(), env.name(), home.root().toString(), policies.policiesDir().toString()),
                coreLog());
        ProcessRecord.of(core.toHandle()).write(home.processFile());
        started.accept(CORE, core);
        progress.accept("core process " + core.pid() + " starting (log: " + coreLog() + ")");
        ChildJvm.awaitReady(core, home.root(),
                () -> readEndpoints().filter(e -> e.pid() == core.pid()).isPresent(), coreReady, "the core process", coreLog());
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

    /**
     * The lake-writer rewrites its status file every few seconds, whatever it is doing (also while it retries a
     * peer that is down): its {@code updated_at} is its heartbeat. The others write theirs once, at readiness.
     */
    @Override
    public Optional<java.time.Instant> lastSignOfLife(String child, long pid) {
        if (!child.equals(lakeWriter.name())) {
            return Optional.empty();
        }
        try {
            return lakeWriter.status().filter(s -> s.pid() == pid).map(s -> s.updatedAt());
        } catch (io.securelake.contracts.ContractException e) {
            return Optional.empty(); // a status this build cannot read is reported by status, not taken for a hang
        }
    }

    /** Stops the gateway and the query server, then the lake-writer (it commits what it holds), then the core; data is kept. */
    @Override
    public boolean stopAll(Duration grace, Consumer<String> progress) {
        boolean stopped = false;
        for (ChildService<?> child : List.<ChildService<?>>of(gateway.service(), query.service())) {
            child.live().ifPresent(p -> progress.accept("stopping " + child.name() + " " + p.pid() + " of " + env.name()));
            stopped |= child.stop(grace);
        }
        lakeWriter.live().ifPresent(p -> progress.accept("stopping lake-writer " + p.pid() + " of " + env.name()));
        stopped |= lakeWriter.stop(grace);
        Optional<ProcessHandle> core = coreProcess();
        if (core.isPresent()) {
            progress.accept("stopping core process " + core.get().pid() + " of " + env.name());
            ChildJvm.stop(core.get(), grace);
        }
        deleteQuietly(home.processFile());
        deleteQuietly(home.endpointsFile());
        return stopped || core.isPresent();
    }

    Optional<ProcessHandle> coreProcess() {
        return ProcessRecord.read(home.processFile()).flatMap(ProcessRecord::live);
    }

    boolean coreRecordedButDead() {
        return ProcessRecord.read(home.processFile()).isPresent() && coreProcess().isEmpty();
    }

    Optional<CoreEndpoints> readEndpoints() {
        return CoreEndpoints.readIfPresent(home.endpointsFile());
    }

    Path coreLog() {
        return home.logsDir().resolve("core.log");
    }

    LakeWriterService lakeWriter() {
        return lakeWriter;
    }

    QueryService query() {
        return query;
    }

    GatewayService gateway() {
        return gateway;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover file is re-checked against the live PID next time
        }
    }
}
