package io.securelake.cli;

import picocli.CommandLine.Option;

/** The {@code --env} option every environment-scoped command takes. */
final class EnvOption {
    @Option(names = {"-e", "--env"}, defaultValue = "dev", paramLabel = "ENV",
            description = "Environment (a file envs/ENV.yaml). Default: ${DEFAULT-VALUE}.")
    String name;
}
