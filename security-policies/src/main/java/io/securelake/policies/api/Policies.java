package io.securelake.policies.api;

import io.securelake.audit.AuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.engine.EnvironmentGroups;
import io.securelake.policies.engine.PolicyStore;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Entry point for enforcement points (query server, gateway): the policies of one Ranger service of an
 * environment, decided by Ranger's engine. Callers outside this module use this package only (an architecture test
 * holds them to it), so the engine behind it can change.
 */
public final class Policies {
    private Policies() {
    }

    /**
     * Opens the service's policy file under {@code policiesRoot}, watches it for edits and audits every decision to
     * {@code audit}; a file that does not load fails here, naming the file and the problem.
     */
    public static PolicyDecider open(Environment env, RangerServiceType type, Path policiesRoot, AuditSink audit,
                                     Consumer<String> log) {
        return PolicyStore.open(PolicyStore.Config.of(env, type, policiesRoot, audit).withLog(log));
    }

    /** Group membership as the environment defines it (the same mapping Hadoop is given). */
    public static GroupResolver groupsOf(Environment env) {
        return new EnvironmentGroups(env);
    }
}
