package io.securelake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.envs.Environment;
import io.securelake.demo.JourneyDemo;
import io.securelake.operations.connect.ClusterEndpoints;
import io.securelake.operations.connect.CoreEndpoints;
import io.securelake.devstack.local.StackStatus;
import java.io.PrintStream;
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
            System.out.println("The " + env.name + " stack is not running"
                    + (status.died() ? ": its core process died. Run 'bin/securelake up --env " + env.name + "' to recover it." : "."));
        } else {
            System.out.println(embedded ? "local stack of " + env.name + " (pid " + status.pid().orElse(-1L) + ")"
                    : env.name + " runs on real clusters (" + environment.source() + ")");
            System.out.printf("%-6s %s%n", "kdc", health(status.kdcHealthy()));
            System.out.printf("%-6s %s%n", "kafka", health(status.kafkaHealthy()));
            System.out.printf("%-6s %s%n", "hdfs", health(status.hdfsHealthy()));
            status.kmsHealthy().ifPresent(h -> System.out.printf("%-6s %s%n", "kms", health(h)));
            status.lakeWriter().ifPresent(w -> System.out.printf("%-6s %s%s%n", "writer",
                    health(status.lakeWriterHealthy().orElse(false)), "running".equals(w.path("state").asText())
                            ? String.format("  %s events committed, %.1f events/s, %s/s, lag %s, %s files, %s quarantined",
                            w.path("events_committed").asText(), w.path("events_per_sec").asDouble(),
                            bytes(w.path("bytes_per_sec").asDouble()), w.path("lag").asText(),
                            w.path("files_committed").asText(), w.path("quarantined").asText())
                            : "  (" + w.path("state").asText() + ")"));
            status.queryServer().ifPresent(q -> System.out.printf("%-6s %s%s%n%s", "query", health(status.queryServerHealthy().orElse(false)),
                    "  (" + q.path("state").asText() + ")", isolation(q)));
            status.gateway().ifPresent(g -> System.out.printf("%-6s %s%s%n%s", "knox", health(status.gatewayHealthy().orElse(false)),
                    g.has("url") ? "  " + g.path("url").asText() : "  (" + g.path("state").asText() + ")", isolation(g)));
            status.gateway().filter(g -> g.has("hive_jdbc_url")).ifPresent(g ->
                    System.out.println("  hive jdbc   " + g.path("hive_jdbc_url").asText() + "   (through Knox; people log in with their directory password)"));
            status.endpoints().ifPresent(e -> printEndpoints(environment, e, System.out));
        }
        if (!status.running()) {
            return ExitCodes.NOT_RUNNING;
        }
        return status.healthy() ? ExitCodes.OK : ExitCodes.UNHEALTHY;
    }

    /** "  isolation   os-users (securelake-query-dev, uid 998)" or "  isolation   logical-only: <reason>", one line. */
    private static String isolation(com.fasterxml.jackson.databind.JsonNode service) {
        if (!service.has("isolation")) {
            return "";
        }
        return "  isolation   " + service.path("isolation").asText() + ("os-users".equals(service.path("isolation").asText())
                ? " (" + service.path("os_user").asText() + ", uid " + service.path("uid").asText() + ")"
                : ": " + service.path("isolation_reason").asText()) + System.lineSeparator();
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
