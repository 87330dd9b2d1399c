package io.securelake.devstack.local;

import io.securelake.contracts.status.ServiceKind;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.EnvironmentNames;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the supervisor JVM that {@code securelake up} starts in the background: it starts the stack's
 * children and keeps them running ({@link StackSupervisor}) until it is terminated ({@code securelake down} sends
 * SIGTERM), then stops them. Its progress lines carry {@value #PROGRESS} so that {@code up} and {@code down} can
 * show them.
 */
public final class SupervisorProcess {
    /** Marks a line of the supervisor's log meant for the person who ran {@code up} or {@code down}. */
    public static final String PROGRESS = " PROGRESS ";
    static final Duration STOP_GRACE = Duration.ofSeconds(60);
    /**
     * How long the lake-writer may go without rewriting its status (every 5 s), or the query server or the gateway
     * without answering a probe (every 10 s), before it is taken for hung: well past
     * a long garbage collection or a slow HDFS call on a loaded machine, and past a pause that Kafka's session
     * survives.
     */
    static final Duration HUNG_AFTER = Duration.ofMinutes(3);
    static final Duration PROBE_EVERY = Duration.ofSeconds(10);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private SupervisorProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 6) {
            System.err.println("usage: SupervisorProcess <envs-dir> <environment> <stack-home> <policies-dir> "
                    + "<project-dir or -> <core-ready-seconds>");
            System.exit(2);
        }
        Environment env = EnvironmentCatalog.of(Path.of(args[0])).load(args[1]);
        StackHome home = new StackHome(Path.of(args[2]));
        PolicyEnforcement policies = new PolicyEnforcement(Path.of(args[0]), Path.of(args[3]));
        Optional<Distribution> distribution = "-".equals(args[4]) ? Optional.empty()
                : Optional.of(new Distribution(Path.of(args[4])));
        StackStarter starter = new StackStarter(env, policies, home, distribution, Duration.ofSeconds(Long.parseLong(args[5])));
        // The query server and the gateway give no heartbeat: a TLS handshake on their ports tells they answer.
        java.util.Map<String, java.net.InetSocketAddress> probed = new java.util.HashMap<>();
        if (distribution.isPresent()) {
            LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
            probed.put(ServiceKind.QUERY_SERVER.stateDirName(),
                    new java.net.InetSocketAddress(EnvironmentNames.LOCAL_QUERY_HOST, ports.queryServer()));
            probed.put(ServiceKind.GATEWAY.stateDirName(), new java.net.InetSocketAddress(LocalRealm.HOST, ports.gateway()));
        }
        ProbedProcesses processes = new ProbedProcesses(starter, probed, PROBE_EVERY, PROBE_TIMEOUT);
        StackSupervisor supervisor = new StackSupervisor(env.name(), processes, RestartPolicy.DEFAULT, home.supervisionFile(),
                home.supervisorRetryFile(), STOP_GRACE, HUNG_AFTER, msg -> System.out.println(Instant.now() + PROGRESS + msg));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.requestStop();
            try {
                // every child gets its grace period, one after the other
                done.await(STOP_GRACE.multipliedBy(5).toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "securelake-supervisor-shutdown"));
        int code;
        try (processes) {
            code = supervisor.run();
        } finally {
            done.countDown();
        }
        System.out.println(Instant.now() + PROGRESS + "supervisor of " + env.name() + " ends (" + code + ")");
        System.exit(code);
    }
}
