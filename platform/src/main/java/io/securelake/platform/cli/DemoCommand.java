package io.securelake.platform.cli;

import io.securelake.envs.Environment;
import io.securelake.platform.demo.FoundationDemo;
import io.securelake.platform.local.LocalStackLauncher;
import io.securelake.platform.local.StackClients;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the platform's journey on the local stack (starting it if needed) and narrate it:",
                "authenticated ingest into Kafka, landing in the HDFS raw zone, and the refusals that must happen.",
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
        System.out.println(" 0. bring up the local core (KDC, Kafka, HDFS)");
        var up = launcher.up(Duration.ofSeconds(180), msg -> System.out.println("     " + msg));
        System.out.println("     " + switch (up.outcome()) {
            case ALREADY_RUNNING -> "already running (pid " + up.endpoints().pid() + ")";
            case STARTED, RECOVERED -> "running (pid " + up.endpoints().pid() + ")";
        });
        FoundationDemo.Outcome outcome = new FoundationDemo(new StackClients(environment, up.endpoints()), System.out).run();
        System.out.println();
        System.out.println("The stack is still running. Try the standard clients:");
        System.out.println(FoundationDemo.standardClientCommands(environment, up.endpoints()));
        System.out.println("Stop it with: bin/securelake down --env " + env.name);
        return outcome.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
