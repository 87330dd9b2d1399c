package io.securelake.cli;

import io.securelake.envs.InvalidEnvironmentException;
import io.securelake.operations.UserFacingErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code securelake}: one entry point for the platform's operators, admins, analysts and auditors. */
@Command(name = "securelake", mixinStandardHelpOptions = true, version = "securelake 0.1.0",
        description = "A secured, governed data lake: Kerberos, Kafka, HDFS, per-environment namespaces.",
        subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, DemoCommand.class, EtlCommand.class, QueryCommand.class, PolicyCommand.class, AuditCommand.class, KeysCommand.class,
                EnvCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  success", "  1  failure, or a request was refused", "  2  wrong usage",
                "  3  the stack is not running", "  4  the stack runs but a component is unhealthy",
                "  5  an environment definition is invalid"})
public final class SecurelakeCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(CliContext.fromSystem(), args));
    }

    static int execute(CliContext context, String... args) {
        CommandLine cli = new CommandLine(new SecurelakeCli(), new ContextFactory(context));
        cli.addSubcommand("ingest", new io.securelake.ingest.cli.IngestCommand(new IngestContext(context)));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidEnvironmentException) {
                commandLine.getErr().println("securelake: " + e.getMessage());
                return ExitCodes.INVALID_ENVIRONMENT;
            }
            commandLine.getErr().println("securelake " + String.join(" ", parseResult.originalArgs()) + ": "
                    + UserFacingErrors.explain(e));
            if (System.getenv("SECURELAKE_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            return ExitCodes.FAILED;
        });
        return cli.execute(args);
    }

    /** Hands the shared {@link CliContext} to commands that take it in their constructor. */
    private record ContextFactory(CliContext context) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                return type.getDeclaredConstructor(CliContext.class).newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
