package io.securelake.contracts.plugins;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What each Ranger plugin of securelake needs to decide: the environment, its definitions, its policies, and where its
 * decisions are audited. The launcher writes these settings into the Kafka broker's and the NameNode's configuration
 * ({@link #brokerSettings()}, {@link #nameNodeSettings()}) and the query server's Spark configuration
 * ({@link #sparkSettings()}); each plugin reads them back with the matching {@code from…} method. Build with
 * {@link #of(String, Path, Path, Path)}.
 *
 * @param auditSummaryWindow identical decisions within it are audited as one summary record (Kafka, HDFS)
 * @param posixFallback      NameNode only: POSIX permissions decide what no policy allows
 */
public record PolicyPluginSettings(String environment, Path envsDir, Path policiesDir, Path auditDir,
                                   Duration auditSummaryWindow, boolean posixFallback) {
    public PolicyPluginSettings {
        PluginSettings.name(Objects.requireNonNull(environment, "environment"));
        Objects.requireNonNull(envsDir, "envsDir");
        Objects.requireNonNull(policiesDir, "policiesDir");
        Objects.requireNonNull(auditDir, "auditDir");
        Objects.requireNonNull(auditSummaryWindow, "auditSummaryWindow");
        if (auditSummaryWindow.isNegative()) {
            throw new IllegalArgumentException("the audit summary window must not be negative: " + auditSummaryWindow);
        }
    }

    /** With the defaults: a one-second audit summary window, no POSIX fallback. */
    public static PolicyPluginSettings of(String environment, Path envsDir, Path policiesDir, Path auditDir) {
        return new PolicyPluginSettings(environment, envsDir, policiesDir, auditDir,
                PluginSettings.AUDIT_SUMMARY_WINDOW.defaultValue().orElseThrow(),
                PluginSettings.HDFS_POSIX_FALLBACK.defaultValue().orElseThrow());
    }

    public PolicyPluginSettings withAuditSummaryWindow(Duration window) {
        return new PolicyPluginSettings(environment, envsDir, policiesDir, auditDir, window, posixFallback);
    }

    /** A Kafka broker's authorizer settings ({@code securelake.*}). */
    public Map<String, String> brokerSettings() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(PluginSettings.ENVIRONMENT.name(), environment);
        p.put(PluginSettings.ENVS_DIR.name(), envsDir.toString());
        p.put(PluginSettings.POLICIES_DIR.name(), policiesDir.toString());
        p.put(PluginSettings.AUDIT_DIR.name(), auditDir.toString());
        if (!auditSummaryWindow.equals(PluginSettings.AUDIT_SUMMARY_WINDOW.defaultValue().orElseThrow())) {
            p.put(PluginSettings.AUDIT_SUMMARY_WINDOW.name(), PluginSettings.text(auditSummaryWindow));
        }
        return p;
    }

    /** A NameNode's authorization hook settings: the broker's and the POSIX fallback, always written. */
    public Map<String, String> nameNodeSettings() {
        Map<String, String> p = brokerSettings();
        p.put(PluginSettings.HDFS_POSIX_FALLBACK.name(), Boolean.toString(posixFallback));
        return p;
    }

    /** The Spark SQL extension's settings ({@code spark.securelake.*}); the audit directory is the audit root. */
    public Map<String, String> sparkSettings() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(PluginSettings.SPARK_ENVIRONMENT.name(), environment);
        p.put(PluginSettings.SPARK_ENVS_DIR.name(), envsDir.toString());
        p.put(PluginSettings.SPARK_POLICIES_DIR.name(), policiesDir.toString());
        p.put(PluginSettings.SPARK_AUDIT_DIR.name(), auditDir.toString());
        return p;
    }

    /**
     * Reads the broker's or NameNode's settings ({@code lookup} answers a key's text or null).
     *
     * @param where the host's configuration in messages, e.g. "RangerKafkaAuthorizer's broker config"
     * @throws IllegalArgumentException naming every missing key and every invalid value
     */
    public static PolicyPluginSettings from(Function<String, String> lookup, String where) {
        PluginSettings.Reader r = PluginSettings.read(lookup, where);
        String env = r.get(PluginSettings.ENVIRONMENT);
        Path envs = r.get(PluginSettings.ENVS_DIR);
        Path policies = r.get(PluginSettings.POLICIES_DIR);
        Path audit = r.get(PluginSettings.AUDIT_DIR);
        Duration window = r.get(PluginSettings.AUDIT_SUMMARY_WINDOW);
        Boolean posix = r.get(PluginSettings.HDFS_POSIX_FALLBACK);
        r.done();
        return new PolicyPluginSettings(env, envs, policies, audit, window, posix);
    }

    /** Reads the Spark extension's settings; the window and the fallback do not apply there and keep their defaults. */
    public static PolicyPluginSettings fromSpark(Function<String, String> lookup, String where) {
        PluginSettings.Reader r = PluginSettings.read(lookup, where);
        String env = r.get(PluginSettings.SPARK_ENVIRONMENT);
        Path envs = r.get(PluginSettings.SPARK_ENVS_DIR);
        Path policies = r.get(PluginSettings.SPARK_POLICIES_DIR);
        Path audit = r.get(PluginSettings.SPARK_AUDIT_DIR);
        r.done();
        return of(env, envs, policies, audit);
    }
}
