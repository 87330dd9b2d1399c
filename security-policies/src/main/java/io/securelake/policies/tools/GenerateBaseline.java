package io.securelake.policies.tools;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.policies.engine.PolicyFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * Writes baseline policy files and expected-decision tables for environments:
 * {@code GenerateBaseline <envs-dir> <policies-dir> [env…]} (all environments when none is named).
 * Overwrites: run it for a new environment, then edit the files by hand in pull requests.
 */
public final class GenerateBaseline {
    private GenerateBaseline() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: GenerateBaseline <envs-dir> <policies-dir> [env...]");
            System.exit(2);
        }
        EnvironmentCatalog catalog = EnvironmentCatalog.of(Path.of(args[0]));
        Path root = Path.of(args[1]);
        List<String> names = args.length > 2 ? List.of(args).subList(2, args.length) : catalog.names();
        List<Environment> all = catalog.loadAll();
        for (String name : names) {
            Environment env = catalog.load(name);
            new BaselinePolicies(env).writeAll(root);
            List<Environment> others = all.stream().filter(e -> !e.name().equals(name)).toList();
            ExpectedDecisions.write(PolicyFiles.expectedDecisions(root, name), new BaselineExpectations(env, others).generate());
            System.out.println("wrote baseline policies of " + name + " under " + root.resolve(name));
        }
    }
}
