package io.securelake.cli;

import io.securelake.devstack.local.LocalStackLauncher;
import io.securelake.devstack.local.StackStatus;
import io.securelake.devstack.local.WarehouseJobs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "etl", mixinStandardHelpOptions = true,
        description = "Model raw events into the environment's Hive tables (Spark SQL jobs).",
        subcommands = {EtlCommand.Run.class})
final class EtlCommand {

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run the ETL once, as the environment's ETL principal: the raw files that arrived since the last",
                    "successful run decide which days are rebuilt (re-running is harmless); rows that break a quality",
                    "rule go to <dataset>_<env>.dq_quarantine. Prints progress and rows read, written and quarantined",
                    "per table. Exit 0 on success, 1 on failure, 3 when the stack is not running."})
    static final class Run implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        EnvOption env;

        @Option(names = "--dataset", paramLabel = "DATASET",
                description = "Only this dataset (repeatable). Default: every dataset the environment defines.")
        List<String> datasets = new ArrayList<>();

        Run(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            LocalStackLauncher launcher = context.launcher(env.name);
            StackStatus status = launcher.status();
            if (!status.running()) {
                System.err.println(QueryCommand.capitalised(status.coreUnavailable("stack",
                        java.util.EnumSet.allOf(io.securelake.contracts.supervision.CoreComponent.class))) + ".");
                return ExitCodes.NOT_RUNNING;
            }
            WarehouseJobs jobs = new WarehouseJobs(context.environment(env.name), context.policies(), context.home(env.name),
                    context.distribution());
            WarehouseJobs.Outcome outcome = jobs.runEtl(datasets, System.out::println);
            return outcome.ok() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }
}
