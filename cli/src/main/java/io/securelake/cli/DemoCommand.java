package io.securelake.cli;

import io.securelake.demo.JourneyDemo;
import io.securelake.demo.WarehouseDemo;
import io.securelake.devstack.local.LocalStackLauncher;
import io.securelake.devstack.local.WarehouseJobs;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.StackClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the platform's journey on the local stack (starting it if needed) and narrate it:",
                "validated, client-side encrypted ingest into Kafka, the lake-writer landing it exactly once in the",
                "HDFS raw zone, a read-back with nothing personal in clear, and the refusals that must happen.",
                "The stack is left running for you to explore; 'down' stops it."})
final class DemoCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    EnvOption env;

    DemoCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        Environment environment = context.environment(env.name);
        LocalStackLauncher launcher = context.launcher(env.name);
        System.out.println("securelake demo — environment " + env.name + " (" + environment.description() + ")");
        System.out.println(" 0. bring up the local stack (KDC, Kafka, HDFS, KMS; lake-writer, query server, Knox gateway)");
        var up = launcher.up(Duration.ofSeconds(180), msg -> System.out.println("     " + msg));
        System.out.println("     " + switch (up.outcome()) {
            case ALREADY_RUNNING -> "already running (pid " + up.endpoints().pid() + ")";
            case STARTED, RECOVERED -> "running (pid " + up.endpoints().pid() + ")";
        });
        java.time.Instant start = java.time.Instant.now();
        CliContext.useKrb5ConfOf(up.endpoints()); // the CLI's choice for this JVM, before the stack's clients
        JourneyDemo.Outcome outcome = new JourneyDemo(new StackClients(environment, up.endpoints()), new IngestContext(context),
                () -> launcher.status().lakeWriter().flatMap(w -> w.figures()).map(f -> f.eventsCommitted()).orElse(0L), System.out).run();
        List<String> failures = new ArrayList<>(outcome.failures());
        String jdbcUrl = launcher.status().hiveJdbcUrl().orElse("");
        if (jdbcUrl.isEmpty()) {
            failures.add("the Knox gateway is not running: the query path was not shown");
        } else {
            WarehouseJobs jobs = new WarehouseJobs(environment, context.policies(), context.home(env.name), context.distribution());
            failures.addAll(new WarehouseDemo(environment, jobs, jdbcUrl,
                    person -> launcher.directoryPassword(person).orElse(""), context.home(env.name).auditDir(), System.out)
                    .run(start));
        }
        System.out.println();
        System.out.println(failures.isEmpty() ? "Demo complete: every step behaved as it must."
                : "Demo found problems:\n  - " + String.join("\n  - ", failures));
        System.out.println();
        System.out.println("The stack is still running. Try the standard clients:");
        System.out.println(JourneyDemo.standardClientCommands(environment, up.endpoints()));
        System.out.println("Query as an analyst (password in " + launcher.directoryPasswordsFile() + "):");
        System.out.println("  bin/securelake query --env " + env.name + " --user "
                + environment.peopleWithRole(io.securelake.envs.Role.ANALYST).get(0).name() + " \"SELECT * FROM "
                + environment.names().hiveDatabase(environment.datasets().get(0)) + ".fact_payment LIMIT 10\"");
        System.out.println("  or any Hive JDBC client (beeline, DBeaver) with: " + jdbcUrl);
        System.out.println("Stop it with: bin/securelake down --env " + env.name);
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
