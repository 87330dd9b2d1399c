package io.securelake.devstack.local;

import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.supervision.CoreComponent;
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
     * How long a stop may take at most: every child is stopped one after the other, each within its grace (the core's
     * six components, the lake-writer, the query server, the gateway), and a little more.
     */
    static final Duration STOP_BUDGET = STOP_GRACE.multipliedBy(io.securelake.contracts.supervision.CoreComponent.values().length + 4);
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
        ProbedProcesses processes = new ProbedProcesses(starter, probes(home, distribution), PROBE_EVERY, PROBE_TIMEOUT);
        StackSupervisor supervisor = new StackSupervisor(env.name(), processes, RestartPolicy.DEFAULT, home.supervisionFile(),
                home.supervisorRetryFile(), STOP_GRACE, HUNG_AFTER, msg -> System.out.println(Instant.now() + PROGRESS + msg));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.requestStop();
            try {
                // every child gets its grace period, one after the other
                done.await(STOP_BUDGET.toSeconds(), TimeUnit.SECONDS);
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

    /**
     * The children without a heartbeat of their own, and where a TLS handshake tells they answer: the broker's
     * client listener, the NameNode's web port and the KMS (greeted with the stack's CA), the query server and the
     * gateway. The KDC (Kerberos over TCP), the DataNode (its ports change at every start) and the core agent are
     * watched for their exit only.
     */
    private static java.util.Map<String, ProbedProcesses.Probe> probes(StackHome home, Optional<Distribution> distribution) {
        LocalPorts ports = LocalPorts.loadOrAllocate(home.portsFile());
        java.util.Map<String, ProbedProcesses.Probe> probes = new java.util.HashMap<>();
        java.util.function.Supplier<javax.net.ssl.SSLContext> stackCa = new StackTrust(home);
        probes.put(CoreComponent.KAFKA.wire(), new ProbedProcesses.Probe(address(LocalRealm.HOST, ports.kafka()), stackCa));
        probes.put(CoreComponent.NAMENODE.wire(),
                new ProbedProcesses.Probe(address(LocalRealm.HOST, ports.nameNodeHttps()), stackCa));
        probes.put(CoreComponent.KMS.wire(), new ProbedProcesses.Probe(address(LocalRealm.HOST, ports.kms()), stackCa));
        if (distribution.isPresent()) {
            probes.put(ServiceKind.QUERY_SERVER.stateDirName(),
                    ProbedProcesses.Probe.untrusted(address(EnvironmentNames.LOCAL_QUERY_HOST, ports.queryServer())));
            probes.put(ServiceKind.GATEWAY.stateDirName(),
                    ProbedProcesses.Probe.untrusted(address(LocalRealm.HOST, ports.gateway())));
        }
        return probes;
    }

    private static java.net.InetSocketAddress address(String host, int port) {
        return new java.net.InetSocketAddress(host, port);
    }

    /**
     * A TLS context trusting the stack's CA, read once it exists (the first start makes it after the supervisor
     * starts); until then the default context, which any TLS answer satisfies all the same.
     */
    private static final class StackTrust implements java.util.function.Supplier<javax.net.ssl.SSLContext> {
        private final StackHome home;
        private javax.net.ssl.SSLContext loaded;

        StackTrust(StackHome home) {
            this.home = home;
        }

        @Override
        public synchronized javax.net.ssl.SSLContext get() {
            if (loaded != null) {
                return loaded;
            }
            java.nio.file.Path ca = home.tlsDir().resolve("ca.pem");
            try {
                if (!java.nio.file.Files.exists(ca)) {
                    return javax.net.ssl.SSLContext.getDefault();
                }
                java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                try (java.io.InputStream in = java.nio.file.Files.newInputStream(ca)) {
                    trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(in));
                }
                javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
                context.init(null, tmf.getTrustManagers(), null);
                loaded = context;
                return context;
            } catch (java.io.IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the stack's CA " + ca + ": " + e.getMessage(), e);
            }
        }
    }
}
