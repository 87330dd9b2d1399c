package io.securelake.cli;

import io.securelake.contracts.status.ServiceKind;
import io.securelake.devstack.local.LocalStackLauncher;
import io.securelake.devstack.local.StackStatus;
import io.securelake.devstack.local.WarehouseJobs;
import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Run one SQL statement as a person, through the environment's Knox gateway with Hive JDBC, and",
                "print the result as a table. Ranger's policies apply: masked columns come back masked, filtered rows",
                "are absent, and a refusal says what was refused. The password is read from --password-file, else the",
                "SECURELAKE_PASSWORD environment variable, else prompted for. Exit 0 on success, 1 when refused or failed."})
final class QueryCommand implements Callable<Integer> {
    private final CliContext context;

    @Mixin
    EnvOption env;

    @Option(names = {"-u", "--user"}, required = true, paramLabel = "USER", description = "The person (directory user name).")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE", description = "A file whose first line is the password.")
    Path passwordFile;

    @Parameters(index = "0", paramLabel = "SQL", description = "The statement, e.g. \"SELECT * FROM payments_dev.fact_payment LIMIT 10\".")
    String sql;

    QueryCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws IOException {
        LocalStackLauncher launcher = context.launcher(env.name);
        StackStatus status = launcher.status();
        String url = status.hiveJdbcUrl().orElse(null);
        if (url == null) {
            System.err.println(capitalised(status.unavailable("Knox gateway", ServiceKind.GATEWAY.stateDirName())) + ".");
            return ExitCodes.NOT_RUNNING;
        }
        String password = password();
        if (password == null) {
            System.err.println("No password: use --password-file, SECURELAKE_PASSWORD, or run in a terminal to be prompted.");
            return ExitCodes.USAGE;
        }
        WarehouseJobs jobs = new WarehouseJobs(context.environment(env.name), context.policies(), context.home(env.name),
                context.distribution());
        return jobs.query(url, user, password, sql, System.out::println).ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    static String capitalised(String sentence) {
        return sentence.isEmpty() ? sentence : Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1);
    }

    private String password() throws IOException {
        if (passwordFile != null) {
            return Files.readAllLines(passwordFile).stream().findFirst().orElse("");
        }
        String fromEnv = System.getenv("SECURELAKE_PASSWORD");
        if (fromEnv != null) {
            return fromEnv;
        }
        Console console = System.console();
        if (console == null) {
            return null;
        }
        char[] typed = console.readPassword("Password for %s: ", user);
        return typed == null ? null : new String(typed);
    }
}
