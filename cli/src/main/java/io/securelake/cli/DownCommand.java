package io.securelake.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop exactly the processes that 'up' started (its supervisor, then each by PID). Data under .securelake/ENV/ is kept.")
final class DownCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    EnvOption env;

    DownCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        boolean stopped = context.launcher(env.name).down(Duration.ofSeconds(60), msg -> System.out.println("  " + msg));
        System.out.println(stopped ? "The " + env.name + " stack is stopped; its data is kept."
                : "The " + env.name + " stack is not running; nothing to stop.");
        return ExitCodes.OK;
    }
}
