package io.securelake.cli;

import io.securelake.envs.Environment;
import io.securelake.policies.api.Finding;
import io.securelake.policies.tools.PolicyDiff;
import io.securelake.policies.tools.PolicyTester;
import io.securelake.policies.tools.PolicyValidator;
import io.securelake.policies.tools.RangerAdminPublisher;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Ranger policies as code (security-policies/policies/ENV/): validate, test, diff, apply.",
        subcommands = {PolicyCommand.Validate.class, PolicyCommand.Test.class, PolicyCommand.Diff.class,
                PolicyCommand.Apply.class})
final class PolicyCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static List<Environment> others(CliContext context, Environment env) {
        return context.catalog().loadAll().stream().filter(e -> !e.name().equals(env.name())).toList();
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = {"Check the environment's policies: schema, unknown resources, users and groups, shadowed or",
                    "contradictory policies, over-broad grants, references to other environments. Exit 1 on errors."})
    static final class Validate implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        EnvOption env;

        Validate(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Environment e = context.environment(env.name);
            List<Finding> findings = new PolicyValidator(e, others(context, e)).validate(context.policiesDir());
            findings.forEach(System.out::println);
            long errors = findings.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
            System.out.println(errors == 0 ? "policies of " + e.name() + " are valid (" + findings.size() + " notes)"
                    : errors + " error(s) in the policies of " + e.name());
            return errors == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Evaluate the expected-decision table beside the policies with Ranger's engine. Exit 1 on a mismatch.")
    static final class Test implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        EnvOption env;

        Test(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Environment e = context.environment(env.name);
            PolicyTester.Report report = PolicyTester.run(e, context.policiesDir());
            report.failures().forEach(r -> System.out.println("FAIL " + r));
            System.out.println(report.results().size() - report.failures().size() + " passed, "
                    + report.failures().size() + " failed (" + report.table() + ")");
            return report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "What promoting ENV's policies to --against would change (environment names normalised).")
    static final class Diff implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        EnvOption env;
        @Option(names = "--against", required = true, paramLabel = "ENV", description = "The environment to compare with.")
        String against;

        Diff(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            Environment source = context.environment(env.name);
            Environment target = context.environment(against);
            System.out.print(PolicyDiff.render(source, target, PolicyDiff.diff(source, target, context.policiesDir())));
            return ExitCodes.OK;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Push the environment's policies to a real Ranger Admin (public v2 REST API); idempotent.",
                    "The password is read from the environment variable RANGER_ADMIN_PASSWORD."})
    static final class Apply implements Callable<Integer> {
        private final CliContext context;
        @Mixin
        EnvOption env;
        @Option(names = "--ranger-url", required = true, paramLabel = "URL", description = "e.g. https://ranger.corp.example.com:6182")
        URI url;
        @Option(names = "--user", defaultValue = "admin", description = "Ranger Admin user. Default: ${DEFAULT-VALUE}.")
        String user;
        @Option(names = "--dry-run", description = "Print the plan; change nothing.")
        boolean dryRun;
        @Option(names = "--insecure", description = {"Accept an http:// --ranger-url: the admin password and the policies",
                "then travel in clear. Refused without it."})
        boolean insecure;

        Apply(CliContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            // Checked first, before the password is even read: nothing may leave for a URL that is refused.
            try {
                RangerAdminPublisher.requireSafeTransport(url, insecure);
            } catch (RangerAdminPublisher.InsecureTransportException e) {
                System.err.println("securelake policy apply: refused: " + e.getMessage()
                        + (url.getScheme() != null && url.getScheme().equalsIgnoreCase("http")
                        ? " (or pass --insecure to accept clear text explicitly)" : ""));
                return ExitCodes.USAGE;
            }
            if (url.getScheme().equalsIgnoreCase("http")) {
                System.err.println("securelake policy apply: warning: --insecure: the password of '" + user
                        + "' and the policies go to " + url + " in clear");
            }
            String password = System.getenv("RANGER_ADMIN_PASSWORD");
            if (password == null) {
                System.err.println("securelake policy apply: refused: set RANGER_ADMIN_PASSWORD (the password is never a command-line argument)");
                return ExitCodes.USAGE;
            }
            RangerAdminPublisher publisher = new RangerAdminPublisher(context.environment(env.name), context.policiesDir(),
                    new RangerAdminPublisher.Target(url, user, password, Duration.ofSeconds(30), insecure));
            RangerAdminPublisher.Plan plan = dryRun ? publisher.plan() : publisher.apply();
            System.out.println(plan.render());
            return ExitCodes.OK;
        }
    }
}
