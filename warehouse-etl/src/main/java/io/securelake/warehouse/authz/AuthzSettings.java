package io.securelake.warehouse.authz;

import org.apache.spark.SparkConf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the extension finds its environment, policies and audit trail. Read from the SparkContext's
 * configuration ({@code spark-submit --conf} or the session builder before the context starts), which
 * no SQL statement can change: {@code SET spark.securelake.policies.dir=...} in a session has no effect.
 */
record AuthzSettings(String environment, Path envsDir, Path policiesDir, Path auditDir) {
    static final String ENVIRONMENT = "spark.securelake.env";
    static final String ENVS_DIR = "spark.securelake.envs.dir";
    static final String POLICIES_DIR = "spark.securelake.policies.dir";
    static final String AUDIT_DIR = "spark.securelake.audit.dir";
    /** The stage directory under the audit root, as {@code kafka} and {@code hdfs} have theirs. */
    static final String AUDIT_STAGE = "hive";

    /** @throws IllegalStateException naming every missing key */
    static AuthzSettings from(SparkConf conf) {
        List<String> missing = new ArrayList<>();
        String env = get(conf, ENVIRONMENT, missing);
        String envs = get(conf, ENVS_DIR, missing);
        String policies = get(conf, POLICIES_DIR, missing);
        String audit = get(conf, AUDIT_DIR, missing);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the Spark configuration lacks " + String.join(", ", missing));
        }
        return new AuthzSettings(env, Path.of(envs), Path.of(policies), Path.of(audit));
    }

    private static String get(SparkConf conf, String key, List<String> missing) {
        String v = conf.get(key, "").strip();
        if (v.isEmpty()) {
            missing.add(key);
        }
        return v;
    }
}
