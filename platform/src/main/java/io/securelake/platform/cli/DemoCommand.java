package io.securelake.platform.cli;

import io.securelake.envs.Environment;
import io.securelake.platform.demo.JourneyDemo;
import io.securelake.platform.local.LocalStackLauncher;
import io.securelake.platform.local.StackClients;
import java.time.Duration;
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
        System.out.println(" 0. bring up the local stack (KDC, Kafka, HDFS, KMS; the lake-writer)");
        var up = launcher.up(Duration.ofSeconds(180), msg -> System.out.println("     " + msg));
        System.out.println("     " + switch (up.outcome()) {
            case ALREADY_RUNNING -> "already running (pid " + up.endpoints().pid() + ")";
            case STARTED, RECOVERED -> "running (pid " + up.endpoints().pid() + ")";
        });
        JourneyDemo.Outcome outcome = new JourneyDemo(new StackClients(environment, up.endpoints()), new IngestContext(context),
                () -> launcher.status().lakeWriter().map(w -> w.path("events_committed").asLong()).orElse(0L), System.out).run();
        System.out.println();
        System.out.println("The stack is still running. Try the standard clients:");
        System.out.println(JourneyDemo.standardClientCommands(environment, up.endpoints()));
        System.out.println("Stop it with: bin/securelake down --env " + env.name);
        return outcome.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
