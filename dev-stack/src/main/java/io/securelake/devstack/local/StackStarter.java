package io.securelake.devstack.local;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.supervision.CoreComponent;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
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
 * Starts and stops the child JVMs of one environment's local stack, in this process: the core's components, each in a
 * JVM of its own (KDC, Kafka broker, NameNode, DataNode, KMS, core agent), then the lake-writer, the query server and
 * the gateway, each waited for on its own readiness signal. The supervisor runs it, so that every child is its child:
 * it learns how each one ended. A component that ends is started again alone: the KDC keeps its keys across restarts,
 * so nothing else needs to restart with it.
 */
final class StackStarter implements SupervisedProcesses {
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

    /**
     * The children in start order: the core's components, the lake-writer, then (with a distribution) the query server
     * and the gateway.
     */
    @Override
    public List<String> children() {
        List<String> all = new java.util.ArrayList<>(CoreComponent.names());
        all.add(lakeWriter.name());
        if (distribution.isPresent()) {
            all.add(query.service().name());
            all.add(gateway.service().name());
        }
        return List.copyOf(all);
    }

    @Override
    public Map<String, ProcessHandle> live() {
        Map<String, ProcessHandle> live = new LinkedHashMap<>();
        for (CoreComponent c : CoreComponent.values()) {
            component(c).ifPresent(p -> live.put(c.wire(), p));
        }
        lakeWriter.live().ifPresent(p -> live.put(lakeWriter.name(), p));
        if (distribution.isPresent()) {
            query.service().live().ifPresent(p -> live.put(query.service().name(), p));
            gateway.service().live().ifPresent(p -> live.put(gateway.service().name(), p));
        }
        return live;
    }

    /**
     * Starts those of {@code wanted} that do not run, in order: the core's components first. Once all of them run,
     * the core's endpoints are published ({@code endpoints.json}) for clients and services.
     */
    @Override
    public void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started) {
        // Preparing makes the home owner-only again: only while nothing runs, since the services, running as users
        // of their own, traverse it to their state directories.
        CoreLayout layout = live().isEmpty() ? CoreLayout.prepare(env, home, policies)
                : CoreLayout.load(env, home, policies);
        for (CoreComponent c : CoreComponent.values()) {
            if (wanted.contains(c.wire()) && component(c).isEmpty()) {
                attempt(c.wire(), () -> startComponent(c, progress, started));
            }
        }
        CoreEndpoints e = layout.endpoints(ProcessHandle.current().pid());
        if (coreRunning() && !readEndpoints().equals(Optional.of(e))) {
            e.writeTo(home.endpointsFile());
        }
        if (wanted.contains(lakeWriter.name()) && lakeWriter.live().isEmpty()) {
            attempt(lakeWriter.name(), () -> {
                progress.accept("lake-writer starting (log: " + lakeWriter.log() + ")");
                Process p = lakeWriter.start(WRITER_READY, spawned -> started.accept(lakeWriter.name(), spawned));
                progress.accept("lake-writer running (pid " + p.pid() + ")");
            });
        }
        if (distribution.isEmpty()) {
            return;
        }
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        if (wanted.contains(query.service().name()) && query.service().live().isEmpty()) {
            attempt(query.service().name(), () -> {
                progress.accept("query server (Spark Thrift Server, Ranger in Spark SQL) starting on "
                        + EnvironmentNames.LOCAL_QUERY_HOST + ":" + ports.queryServer() + " (log: " + query.service().log() + ")");
                query.start(distribution.get(), e, ports.queryServer(), QUERY_READY,
                        spawned -> started.accept(query.service().name(), spawned));
                progress.accept("query server running (" + describe(query.service()) + ")");
            });
        }
        if (wanted.contains(gateway.service().name()) && gateway.service().live().isEmpty()) {
            attempt(gateway.service().name(), () -> {
                progress.accept("Knox gateway starting on https://" + LocalRealm.HOST + ":" + ports.gateway()
                        + " (log: " + gateway.service().log() + ")");
                gateway.start(distribution.get(), e, ports.gateway(), ports.ldap(), ports.queryServer(), GATEWAY_READY,
                        spawned -> started.accept(gateway.service().name(), spawned));
                progress.accept("Knox gateway running (" + describe(gateway.service()) + ")");
            });
        }
    }

    /** Runs one child's start; a failure names the child, so that only it is blamed. */
    private static void attempt(String child, Runnable start) {
        try {
            start.run();
        } catch (ChildStartFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChildStartFailure(child, e);
        }
    }

    private void startComponent(CoreComponent c, Consumer<String> progress, BiConsumer<String, Process> started) {
        if (c == CoreComponent.KDC && !live().isEmpty()
                && !Files.exists(home.kdcDir().resolve(io.securelake.devstack.kdc.RealmSecrets.FILE_NAME))) {
            // Fail closed: a KDC without its store would re-key the realm under processes holding the old keys,
            // which would then fail to log in while looking alive. Re-keying is a whole-stack restart.
            throw new IllegalStateException("the realm secret store " + home.kdcDir().resolve(
                    io.securelake.devstack.kdc.RealmSecrets.FILE_NAME) + " is missing: a KDC started now would give every "
                    + "principal new keys under the processes that still run. Restore the file, or re-key the realm by "
                    + "restarting the whole stack ('securelake down' then 'securelake up')");
        }
        Path ready = home.componentReadyFile(c.wire());
        deleteQuietly(ready);
        Path log = log(c);
        Process p = ChildJvm.start(List.of(heap(c), "-XX:+UseSerialGC"), ComponentProcess.class.getName(),
                List.of(c.wire(), policies.envsDir().toString(), env.name(), home.root().toString(),
                        policies.policiesDir().toString()), log);
        ProcessRecord.of(p.toHandle()).write(home.componentProcessFile(c.wire()));
        started.accept(c.wire(), p);
        progress.accept(c.description() + " starting (pid " + p.pid() + ", log: " + log + ")");
        ChildJvm.awaitReady(p, home.runDir(), () -> ProcessRecord.read(ready).filter(r -> r.pid() == p.pid()).isPresent(),
                coreReady, "the " + c.description(), log);
        progress.accept(c.description() + " running (pid " + p.pid() + ")");
    }

    /** Enough for the local stack's load, and no more: eight JVMs share one small machine. */
    private static String heap(CoreComponent c) {
        return switch (c) {
            case KDC -> "-Xmx128m";
            case KAFKA -> "-Xmx512m";
            case NAMENODE -> "-Xmx384m";
            case DATANODE, KMS, AGENT -> "-Xmx256m";
        };
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

    /**
     * Stops the gateway and the query server, then the lake-writer (it commits what it holds), then the core's
     * components in reverse order; data is kept.
     */
    @Override
    public boolean stopAll(Duration grace, Consumer<String> progress) {
        boolean stopped = false;
        for (ChildService<?> child : List.<ChildService<?>>of(gateway.service(), query.service())) {
            child.live().ifPresent(p -> progress.accept("stopping " + child.name() + " " + p.pid() + " of " + env.name()));
            stopped |= child.stop(grace);
        }
        lakeWriter.live().ifPresent(p -> progress.accept("stopping lake-writer " + p.pid() + " of " + env.name()));
        stopped |= lakeWriter.stop(grace);
        List<CoreComponent> reverse = new java.util.ArrayList<>(List.of(CoreComponent.values()));
        java.util.Collections.reverse(reverse);
        for (CoreComponent c : reverse) {
            Optional<ProcessHandle> p = component(c);
            if (p.isPresent()) {
                progress.accept("stopping the " + c.description() + " " + p.get().pid() + " of " + env.name());
                ChildJvm.stop(p.get(), grace);
                stopped = true;
            }
            deleteQuietly(home.componentProcessFile(c.wire()));
            deleteQuietly(home.componentReadyFile(c.wire()));
        }
        deleteQuietly(home.endpointsFile());
        return stopped;
    }

    /** The running process of one of the core's components. */
    Optional<ProcessHandle> component(CoreComponent c) {
        return ProcessRecord.read(home.componentProcessFile(c.wire())).flatMap(ProcessRecord::live);
    }

    /** Whether any of the core's components runs. */
    boolean coreRunning() {
        return java.util.Arrays.stream(CoreComponent.values()).anyMatch(c -> component(c).isPresent());
    }

    /** A component recorded as started but gone, while nobody restarts it (no supervisor). */
    boolean coreRecordedButDead() {
        return java.util.Arrays.stream(CoreComponent.values())
                .anyMatch(c -> ProcessRecord.read(home.componentProcessFile(c.wire())).isPresent() && component(c).isEmpty());
    }

    Optional<CoreEndpoints> readEndpoints() {
        return CoreEndpoints.readIfPresent(home.endpointsFile());
    }

    Path log(CoreComponent c) {
        return home.logsDir().resolve(c.wire() + ".log");
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
