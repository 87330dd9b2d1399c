package io.securelake.warehouse.authz;

import io.securelake.contracts.plugins.PluginSettings;
import io.securelake.contracts.plugins.PolicyPluginSettings;
import java.nio.file.Path;
import org.apache.spark.SparkConf;

/**
 * Where the extension finds its environment, policies and audit trail ({@link PluginSettings}' {@code spark.securelake.*}
 * keys). Read from the SparkContext's configuration ({@code spark-submit --conf} or the session builder before the
 * context starts), which no SQL statement can change: {@code SET spark.securelake.policies.dir=...} in a session has no
 * effect.
 */
record AuthzSettings(String environment, Path envsDir, Path policiesDir, Path auditDir) {
    static final String ENVIRONMENT = PluginSettings.SPARK_ENVIRONMENT.name();
    static final String ENVS_DIR = PluginSettings.SPARK_ENVS_DIR.name();
    static final String POLICIES_DIR = PluginSettings.SPARK_POLICIES_DIR.name();
    static final String AUDIT_DIR = PluginSettings.SPARK_AUDIT_DIR.name();
    /** The stage directory under the audit root, as {@code kafka} and {@code hdfs} have theirs. */
    static final String AUDIT_STAGE = "hive";

    /** @throws IllegalArgumentException naming every missing key */
    static AuthzSettings from(SparkConf conf) {
        PolicyPluginSettings s = PolicyPluginSettings.fromSpark(key -> conf.get(key, null), "the Spark configuration");
        return new AuthzSettings(s.environment(), s.envsDir(), s.policiesDir(), s.auditDir());
    }
}
