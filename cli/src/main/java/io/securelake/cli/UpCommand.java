package io.securelake.cli;

import io.securelake.devstack.local.LocalStackLauncher;
import io.securelake.devstack.local.LocalStackLauncher.UpResult;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the environment's local stack (core: KDC, Kafka, HDFS, KMS; then the lake-writer, the query",
                "server (Spark Thrift Server with Ranger) and the Knox gateway) in the background and wait until it is ready.",
                "Writes krb5.conf, keytabs and the TLS truststore under .securelake/ENV/. Does nothing if it already runs."})
final class UpCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    EnvOption env;

    @Option(names = "--timeout", defaultValue = "180", paramLabel = "SECONDS",
            description = "How long to wait for readiness. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    UpCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        LocalStackLauncher launcher = context.launcher(env.name);
        UpResult result = launcher.up(Duration.ofSeconds(timeoutSeconds), msg -> System.out.println("  " + msg));
        switch (result.outcome()) {
            case ALREADY_RUNNING -> System.out.println("The " + env.name + " stack is already running (pid "
                    + result.endpoints().pid() + "); nothing changed.");
            case RECOVERED -> System.out.println("The " + env.name
                    + " stack was not fully running (a process had died) and is running again.");
            case STARTED -> System.out.println("The " + env.name + " stack is running.");
        }
        StatusCommand.printEndpoints(context.environment(env.name), result.endpoints(), System.out);
        System.out.println("Stop it with: bin/securelake down --env " + env.name);
        return ExitCodes.OK;
    }
}
