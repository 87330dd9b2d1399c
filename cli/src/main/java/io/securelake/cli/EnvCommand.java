package io.securelake.cli;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "env", mixinStandardHelpOptions = true, description = "Inspect environment definitions.",
        subcommands = {EnvCommand.Validate.class, EnvCommand.Show.class})
final class EnvCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Validate every environment definition in envs/ (exit 5 with file:line: field: problem if not).")
    static final class Validate implements Callable<Integer> {
        private final CliContext context;

        Validate(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            for (Environment e : context.catalog().loadAll()) {
                System.out.println("ok  " + e.source() + "  (" + e.name() + ", realm " + e.realm() + ", "
                        + e.people().size() + " people, " + e.datasets().size() + " datasets)");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show every name the environment derives: topics, paths, databases, Ranger services, keys, principals.")
    static final class Show implements Callable<Integer> {
        private final CliContext context;

        @Mixin
        EnvOption env;

        Show(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Environment e = context.environment(env.name);
            EnvironmentNames n = e.names();
            System.out.println("environment " + e.name() + " — " + e.description() + " (" + e.source() + ")");
            System.out.println("realm        " + e.realm() + (e.kerberos().embedded() ? " (embedded KDC)" : " KDCs " + e.kerberos().kdcs()));
            for (ServiceIdentity s : e.services()) {
                System.out.printf("service      %-12s %s%n", s.role().yamlName(), n.qualified(s.principal()));
            }
            e.people().forEach(p -> System.out.printf("person       %-12s %s %s%n", p.name(), n.qualified(p.name()), p.groups()));
            for (Dataset d : e.datasets()) {
                System.out.println("dataset      " + d.name());
                System.out.println("  topics     " + n.rawTopic(d) + ", " + n.deadLetterTopic(d));
                System.out.println("  hdfs       " + n.rawPath(d) + ", " + n.curatedPath(d) + ", " + n.quarantinePath(d));
                System.out.println("  hive db    " + n.hiveDatabase(d));
                System.out.println("  key (KEK)  " + n.keyEncryptionKey(d));
            }
            System.out.println("audit        " + n.auditPath());
            for (RangerServiceType t : RangerServiceType.values()) {
                System.out.println("ranger       " + n.rangerService(t));
            }
            System.out.println("knox         topology " + n.knoxTopology());
            return ExitCodes.OK;
        }
    }
}
