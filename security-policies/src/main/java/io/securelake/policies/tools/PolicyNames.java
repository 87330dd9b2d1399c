package io.securelake.policies.tools;

import io.securelake.envs.EnvironmentNames;

/**
 * Names the policies need that {@link EnvironmentNames} does not derive yet. Kept in one place so they
 * can move into EnvironmentNames without touching the policy code.
 */
public final class PolicyNames {
    /** The cluster resource Kafka authorizes cluster operations against. */
    public static final String KAFKA_CLUSTER = "kafka-cluster";

    private PolicyNames() {
    }

    /** Hive database of the audit trail, e.g. {@code audit_dev} (same pattern as dataset databases). */
    public static String auditHiveDatabase(EnvironmentNames names) {
        return "audit_" + names.environment();
    }

    /** Parent directories of an absolute path, root first, e.g. /, /lake for /lake/dev. */
    public static java.util.List<String> parents(String path) {
        java.util.List<String> out = new java.util.ArrayList<>();
        out.add("/");
        String[] parts = path.split("/");
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < parts.length - 1; i++) {
            sb.append('/').append(parts[i]);
            out.add(sb.toString());
        }
        return out;
    }
}
