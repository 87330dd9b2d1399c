package io.securelake.contracts.plugins;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Every {@code securelake.*} setting the platform hands to a plugin running inside another product's process, defined
 * once: the Ranger authorizers of the Kafka broker and the NameNode, the Knox provider, the Spark SQL extension. The
 * launcher writes them from these keys ({@link PolicyPluginSettings#brokerSettings()} and the like) and the plugins
 * read them with {@link #read}, so a renamed key cannot leave one side behind.
 */
public final class PluginSettings {
    private PluginSettings() {
    }

    /** The environment whose policies decide (Kafka broker, NameNode, Knox provider parameter). */
    public static final SettingKey<String> ENVIRONMENT = SettingKey.required("securelake.environment",
            "the environment whose policies decide, e.g. dev", PluginSettings::name);
    /** Where the environment definitions are ({@code envs/}). */
    public static final SettingKey<Path> ENVS_DIR = SettingKey.required("securelake.envs.dir",
            "directory of the environment definitions (envs/)", PluginSettings::path);
    /** Root of the policies as code ({@code security-policies/policies}); read live. */
    public static final SettingKey<Path> POLICIES_DIR = SettingKey.required("securelake.policies.dir",
            "root of the Ranger policies as code (security-policies/policies), read live", PluginSettings::path);
    /** The stage's audit directory (Kafka, HDFS: {@code <audit root>/<stage>}). */
    public static final SettingKey<Path> AUDIT_DIR = SettingKey.required("securelake.audit.dir",
            "the stage's audit trail directory", PluginSettings::path);
    /**
     * Identical decisions within this many ms after the first are audited as one summary record (count, first and
     * last time), as Ranger's deployments summarise; 0 writes every decision in full.
     */
    public static final SettingKey<Duration> AUDIT_SUMMARY_WINDOW = SettingKey.optional("securelake.audit.summary.window.ms",
            "identical decisions within this many ms are audited as one summary record; 0: every one in full",
            PluginSettings::millis, Duration.ofSeconds(1));
    /** NameNode only: whether POSIX permissions decide what the policies do not allow (false: deny). */
    public static final SettingKey<Boolean> HDFS_POSIX_FALLBACK = SettingKey.optional("securelake.hdfs.posix.fallback",
            "NameNode: true lets POSIX permissions decide what no policy allows; false denies it", PluginSettings::bool, false);
    /** Knox filter parameter: the topology the filter guards (set by the provider for each resource). */
    public static final SettingKey<String> KNOX_TOPOLOGY = SettingKey.required("securelake.topology",
            "Knox: the topology a filter guards (set by the provider)", PluginSettings::name);

    /*
     * Spark accepts only spark.* keys from spark-submit --conf and the session builder, hence a prefix; the
     * environment's key is spark.securelake.env, as deployed before the keys were defined here.
     */
    public static final SettingKey<String> SPARK_ENVIRONMENT = SettingKey.required("spark.securelake.env",
            ENVIRONMENT.meaning(), PluginSettings::name);
    public static final SettingKey<Path> SPARK_ENVS_DIR = SettingKey.required("spark." + ENVS_DIR.name(),
            ENVS_DIR.meaning(), PluginSettings::path);
    public static final SettingKey<Path> SPARK_POLICIES_DIR = SettingKey.required("spark." + POLICIES_DIR.name(),
            POLICIES_DIR.meaning(), PluginSettings::path);
    /** Spark: the audit root; decisions go to {@code <it>/hive}. */
    public static final SettingKey<Path> SPARK_AUDIT_DIR = SettingKey.required("spark." + AUDIT_DIR.name(),
            "the audit root; decisions go to <it>/hive", PluginSettings::path);

    /** Every key, for documentation and checks. */
    public static List<SettingKey<?>> all() {
        return List.of(ENVIRONMENT, ENVS_DIR, POLICIES_DIR, AUDIT_DIR, AUDIT_SUMMARY_WINDOW, HDFS_POSIX_FALLBACK,
                KNOX_TOPOLOGY, SPARK_ENVIRONMENT, SPARK_ENVS_DIR, SPARK_POLICIES_DIR, SPARK_AUDIT_DIR);
    }

    /**
     * A host's settings, read key by key: {@code lookup} answers a key's text or null. Every problem is collected so
     * that one start names them all: "{@code <where>} lacks a, b; 'c' must be …".
     */
    public static final class Reader {
        private final Function<String, String> lookup;
        private final String where;
        private final List<String> missing = new ArrayList<>();
        private final List<String> invalid = new ArrayList<>();

        private Reader(Function<String, String> lookup, String where) {
            this.lookup = lookup;
            this.where = where;
        }

        /** The key's value, its default, or null after noting it missing or invalid ({@link #done()} throws). */
        public <T> T get(SettingKey<T> key) {
            String text = lookup.apply(key.name());
            if (text == null || text.isBlank()) {
                if (key.required()) {
                    missing.add(key.name());
                }
                return key.defaultValue().orElse(null);
            }
            try {
                return key.parse().apply(text.strip());
            } catch (IllegalArgumentException e) {
                invalid.add("'" + key.name() + "' " + e.getMessage());
                return null;
            }
        }

        /** @throws IllegalArgumentException naming every missing key, then every invalid value */
        public void done() {
            if (missing.isEmpty() && invalid.isEmpty()) {
                return;
            }
            List<String> problems = new ArrayList<>();
            if (!missing.isEmpty()) {
                problems.add(where + " lacks " + String.join(", ", missing));
            }
            if (!invalid.isEmpty()) {
                problems.add((missing.isEmpty() ? where + ": " : "") + String.join("; ", invalid));
            }
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** @param where the host's configuration in messages, e.g. "the Spark configuration" */
    public static Reader read(Function<String, String> lookup, String where) {
        return new Reader(lookup, where);
    }

    static String name(String text) {
        if (!text.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new IllegalArgumentException("must be a plain name (letters, digits, '.', '_', '-'), got '" + text + "'");
        }
        return text;
    }

    static Path path(String text) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("must be a path, got '" + text + "'", e);
        }
    }

    static Duration millis(String text) {
        long ms;
        try {
            ms = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number of milliseconds, got '" + text + "'", e);
        }
        if (ms < 0) {
            throw new IllegalArgumentException("must be >= 0 ms, got " + ms);
        }
        return Duration.ofMillis(ms);
    }

    /** Strictly true or false: Hadoop reads "ture" as false, which would silently change a security setting. */
    static Boolean bool(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("must be true or false, got '" + text + "'");
        };
    }

    /** The text a setting is written as. */
    static String text(Object value) {
        return value instanceof Duration d ? Long.toString(d.toMillis()) : String.valueOf(value);
    }
}
