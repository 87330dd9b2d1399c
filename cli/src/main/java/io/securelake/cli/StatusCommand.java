package io.securelake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.supervision.CoreComponent;
import io.securelake.contracts.supervision.SupervisedChild;
import io.securelake.demo.JourneyDemo;
import io.securelake.devstack.local.ServiceReport;
import io.securelake.devstack.local.StackStatus;
import io.securelake.devstack.local.Supervision;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.ClusterEndpoints;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show each component's health and endpoints. Exit 0 healthy, 3 not running, 4 unhealthy.")
final class StatusCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    EnvOption env;

    @Option(names = "--json", description = "Print one JSON object (realm, krb5_conf, keytabs, kafka, hdfs, healthy flags).")
    boolean json;

    StatusCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Environment environment = context.environment(env.name);
        boolean embedded = environment.kerberos().embedded();
        StackStatus status = embedded ? context.launcher(env.name).status()
                : StackStatus.probe(env.name, ClusterEndpoints.of(environment, context.home(env.name).create().root()));
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(status.toJson()));
        } else if (!status.running()) {
            boolean supervised = status.supervision().filter(Supervision::running).isPresent();
            System.out.println("The " + env.name + " stack is not running" + (!status.died() && !supervised ? "."
                    : supervised ? ": its supervisor is starting it" + status.notRunning(EnumSet.allOf(CoreComponent.class))
                            .map(c -> " (" + CoreComponent.of(c.name()).orElseThrow().description() + ":"
                                    + supervision(c) + ")").orElse("")
                    : ": a component of its core died. Run 'bin/securelake up --env " + env.name + "' to recover it."));
        } else {
            System.out.println(embedded ? "local stack of " + env.name
                    : env.name + " runs on real clusters (" + environment.source() + ")");
            status.supervision().ifPresent(s -> System.out.println(s.running()
                    ? "supervised by pid " + s.report().map(r -> r.supervisorPid()).orElse(-1L) + ": what ends is started again"
                    : "NOT SUPERVISED: " + s.problem(env.name).orElse("")));
            System.out.printf("%-6s %s%n", "kdc", health(status.kdcHealthy()));
            supervisionLine(status, CoreComponent.KDC.wire(), "supervised");
            System.out.printf("%-6s %s%n", "kafka", health(status.kafkaHealthy()));
            supervisionLine(status, CoreComponent.KAFKA.wire(), "supervised");
            System.out.printf("%-6s %s%n", "hdfs", health(status.hdfsHealthy()));
            supervisionLine(status, CoreComponent.NAMENODE.wire(), "namenode");
            supervisionLine(status, CoreComponent.DATANODE.wire(), "datanode");
            status.kmsHealthy().ifPresent(h -> System.out.printf("%-6s %s%n", "kms", health(h)));
            supervisionLine(status, CoreComponent.KMS.wire(), "supervised");
            status.supervision().flatMap(s -> s.child(CoreComponent.AGENT.wire())).ifPresent(c -> System.out.printf(
                    "%-6s %s%n  supervised  %s%n", "agent", health(c.state().healthy()) + "  (topics, directories, keys; "
                            + "ships the audit trail)", supervision(c).trim()));
            status.lakeWriter().ifPresent(w -> System.out.printf("%-6s %s%s%n", "writer", health(w.healthy()),
                    w.state() == ServiceState.RUNNING && w.figures().isPresent() ? figures(w.figures().get())
                            : "  (" + w.state() + w.problem().map(p -> ": " + p).orElse("") + ")"));
            supervisionLine(status, ServiceKind.LAKE_WRITER);
            status.queryServer().ifPresent(q -> System.out.printf("%-6s %s%s%n%s", "query", health(q.healthy()),
                    "  (" + q.state() + q.problem().map(p -> ": " + p).orElse("") + ")", isolation(q)));
            supervisionLine(status, ServiceKind.QUERY_SERVER);
            status.gateway().ifPresent(g -> System.out.printf("%-6s %s%s%n%s", "knox", health(g.healthy()),
                    g.figures().map(f -> "  " + f.url()).orElse("  (" + g.state() + g.problem().map(p -> ": " + p).orElse("") + ")"),
                    isolation(g)));
            supervisionLine(status, ServiceKind.GATEWAY);
            status.hiveJdbcUrl().ifPresent(url ->
                    System.out.println("  hive jdbc   " + url + "   (through Knox; people log in with their directory password)"));
            status.endpoints().ifPresent(e -> printEndpoints(environment, e, System.out));
        }
        if (!status.running()) {
            return ExitCodes.NOT_RUNNING;
        }
        return status.healthy() ? ExitCodes.OK : ExitCodes.UNHEALTHY;
    }

    /** "  supervised  up 3m 12s, 1 restart; last exit: killed by signal 9 (SIGKILL) at …", one line. */
    private static void supervisionLine(StackStatus status, ServiceKind kind) {
        supervisionLine(status, kind.stateDirName(), "supervised");
    }

    private static void supervisionLine(StackStatus status, String child, String label) {
        status.supervision().flatMap(s -> s.child(child))
                .ifPresent(c -> System.out.printf("  %-10s  %s%n", label, supervision(c).trim()));
    }

    private static String supervision(SupervisedChild c) {
        StringBuilder b = new StringBuilder(" ");
        b.append(switch (c.state()) {
            case RUNNING -> "up " + uptime(Duration.between(c.upSince(), Instant.now()));
            case BACKING_OFF -> "restarting at " + c.nextStartAt();
            default -> c.state().wire();
        });
        b.append(", ").append(c.restarts()).append(c.restarts() == 1 ? " restart" : " restarts");
        if (c.lastExit() != null) {
            b.append("; last exit: ").append(c.lastExit().cause()).append(" at ").append(c.lastExit().at());
        }
        if (c.problem() != null) {
            b.append("; ").append(c.problem());
        }
        return b.toString();
    }

    private static String uptime(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format("%dh %dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%dm %ds", s / 60, s % 60) : s + "s";
    }

    private static String figures(LakeWriterFigures w) {
        return String.format("  %s events committed, %.1f events/s, %s/s, lag %s, %s files, %s quarantined",
                w.eventsCommitted(), w.eventsPerSecond(), bytes(w.bytesPerSecond()), w.lag(), w.filesCommitted(),
                w.quarantined());
    }

    /** "  isolation   os-users (securelake-query-dev, uid 998)" or "  isolation   logical-only: <reason>", one line. */
    private static String isolation(ServiceReport<?> service) {
        return service.isolation().map(i -> "  isolation   " + i.path("isolation").asText()
                + ("os-users".equals(i.path("isolation").asText())
                ? " (" + i.path("os_user").asText() + ", uid " + i.path("uid").asText() + ")"
                : ": " + i.path("isolation_reason").asText()) + System.lineSeparator()).orElse("");
    }

    private static String bytes(double n) {
        if (n >= 1024 * 1024) {
            return String.format("%.1f MiB", n / (1024 * 1024));
        }
        return n >= 1024 ? String.format("%.1f KiB", n / 1024) : String.format("%.0f B", n);
    }

    private static String health(boolean healthy) {
        return healthy ? "healthy" : "UNHEALTHY";
    }

    static void printEndpoints(Environment env, CoreEndpoints e, PrintStream out) {
        out.println("  realm       " + e.realm() + "   (krb5.conf: " + e.krb5Conf() + ")");
        out.println("  kdc         " + e.kdc());
        out.println("  kafka       " + e.kafkaBootstrap() + "   (SASL_SSL, GSSAPI, service name kafka; CA: " + e.caPem() + ")");
        out.println("  hdfs        " + e.hdfsNameNode());
        out.println("  webhdfs     " + e.webHdfs() + "   (SPNEGO)");
        if (e.kmsUri() != null) {
            out.println("  kms         " + e.kmsUri() + "   (SPNEGO; key provider URI)");
        }
        e.keytabs().forEach((principal, keytab) -> out.printf("  keytab      %-40s %s%n", principal, keytab));
        if (e.pid() > 0) {
            out.println("Try the standard clients:");
            out.println(JourneyDemo.standardClientCommands(env, e));
        }
    }
}
