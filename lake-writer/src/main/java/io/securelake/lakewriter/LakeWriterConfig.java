package io.securelake.lakewriter;

import io.securelake.envs.Principals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the lake-writer, immutable and validated; {@link #from(Map)} parses string properties
 * against the documented {@link #DEFINITION}. Topics, group, paths and principal are derived from the
 * environment, not configured.
 */
public record LakeWriterConfig(String environment, String bootstrapServers, Path caPem, Optional<Path> krb5Conf,
                               String principal, Path keytab, String nameNode, String nameNodePrincipal,
                               Path schemasDir, Path stateDir, String writerId, Optional<String> groupInstanceId,
                               long rollMaxBytes, Duration rollInterval, int maxOpenFiles, String avroCodec,
                               Duration statusInterval, Duration pollTimeout, int maxPollRecords, int fetchMaxBytes,
                               int maxPartitionFetchBytes, int sessionTimeoutMs, Duration hdfsRetryBackoffMax,
                               int manifestsRetained, Duration stallWarning, Map<String, String> hadoopOverrides) {

    public static final String ENVIRONMENT = "environment";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SSL_CA_PEM = "ssl.ca.pem";
    public static final String KRB5_CONF = "krb5.conf";
    public static final String PRINCIPAL = "kerberos.principal";
    public static final String KEYTAB = "kerberos.keytab";
    public static final String NAMENODE = "hdfs.namenode";
    public static final String NAMENODE_PRINCIPAL = "hdfs.namenode.principal";
    public static final String SCHEMAS_DIR = "schemas.dir";
    public static final String STATE_DIR = "state.dir";
    public static final String WRITER_ID = "writer.id";
    public static final String GROUP_INSTANCE_ID = "kafka.group.instance.id";
    public static final String ROLL_MAX_BYTES = "roll.max.bytes";
    public static final String ROLL_INTERVAL_MS = "roll.interval.ms";
    public static final String MAX_OPEN_FILES = "max.open.files";
    public static final String AVRO_CODEC = "avro.codec";
    public static final String STATUS_INTERVAL_MS = "status.interval.ms";
    public static final String POLL_TIMEOUT_MS = "poll.timeout.ms";
    public static final String MAX_POLL_RECORDS = "kafka.max.poll.records";
    public static final String FETCH_MAX_BYTES = "kafka.fetch.max.bytes";
    public static final String MAX_PARTITION_FETCH_BYTES = "kafka.max.partition.fetch.bytes";
    public static final String SESSION_TIMEOUT_MS = "kafka.session.timeout.ms";
    public static final String HDFS_RETRY_BACKOFF_MAX_MS = "hdfs.retry.backoff.max.ms";
    public static final String MANIFESTS_RETAINED = "manifests.retained";
    public static final int DEFAULT_MANIFESTS_RETAINED = 4;
    public static final String STALL_WARNING_MS = "stall.warning.ms";
    /** Prefix of extra Hadoop client properties, e.g. {@code hadoop.dfs.client.socket-timeout}. */
    public static final String HADOOP_PREFIX = "hadoop.";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(ENVIRONMENT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Environment whose raw topics the writer consumes and whose raw zone it writes.")
            .define(BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka brokers (SASL_SSL/GSSAPI).")
            .define(SSL_CA_PEM, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "PEM of the CA that signed the brokers' certificates.")
            .define(KRB5_CONF, Type.STRING, "", Importance.MEDIUM, "krb5.conf; empty keeps the JVM's.")
            .define(PRINCIPAL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The environment's lake-writer principal, qualified (svc-lakewriter-<env>@REALM).")
            .define(KEYTAB, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Keytab of the principal; the writer logs in from it and renews its tickets.")
            .define(NAMENODE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "HDFS NameNode URI, hdfs://host:port.")
            .define(NAMENODE_PRINCIPAL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "The NameNode's principal (hdfs/_HOST@REALM on real clusters).")
            .define(SCHEMAS_DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Directory of dataset schemas, <dir>/<dataset>/v<N>.avsc.")
            .define(STATE_DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Local directory for status.json. Holds no offsets: those live with the data in HDFS.")
            .define(WRITER_ID, Type.STRING, "", Importance.LOW,
                    "Names this writer's temporary files; empty picks a random id per process start.")
            .define(GROUP_INSTANCE_ID, Type.STRING, "", Importance.MEDIUM,
                    "Kafka static membership id. A restarted writer with the same id takes its partitions back at once "
                            + "and the broker fences the previous incarnation. Empty: dynamic membership.")
            .define(ROLL_MAX_BYTES, Type.LONG, 128L * 1024 * 1024, Range.atLeast(1024L), Importance.MEDIUM,
                    "A partition's open batch is committed when its event bytes reach this size.")
            .define(ROLL_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(100L), Importance.MEDIUM,
                    "... or when it has been open this long (bounds the delay until events are visible).")
            .define(MAX_OPEN_FILES, Type.INT, 16, Range.between(1, 4096), Importance.MEDIUM,
                    "Open HDFS files across all partitions; reaching it commits the oldest batch (bounds memory).")
            .define(AVRO_CODEC, Type.STRING, "null", ValidString.in("null", "deflate"), Importance.LOW,
                    "Avro container block codec. Ciphertext does not compress; null saves CPU.")
            .define(STATUS_INTERVAL_MS, Type.LONG, 5_000L, Range.atLeast(100L), Importance.LOW,
                    "How often status.json is rewritten.")
            .define(POLL_TIMEOUT_MS, Type.LONG, 500L, Range.atLeast(10L), Importance.LOW, "Kafka poll timeout.")
            .define(MAX_POLL_RECORDS, Type.INT, 5_000, Range.atLeast(1), Importance.LOW, "Kafka max.poll.records.")
            .define(FETCH_MAX_BYTES, Type.INT, 16 * 1024 * 1024, Range.atLeast(1024), Importance.LOW,
                    "Kafka fetch.max.bytes: bounds memory held by fetched, unprocessed events.")
            .define(MAX_PARTITION_FETCH_BYTES, Type.INT, 4 * 1024 * 1024, Range.atLeast(1024), Importance.LOW,
                    "Kafka max.partition.fetch.bytes.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 30_000, Range.between(6_000, 300_000), Importance.LOW,
                    "Kafka session.timeout.ms.")
            .define(HDFS_RETRY_BACKOFF_MAX_MS, Type.LONG, 30_000L, Range.atLeast(100L), Importance.LOW,
                    "Longest wait between attempts to reach HDFS again after a failure.")
            .define(MANIFESTS_RETAINED, Type.INT, DEFAULT_MANIFESTS_RETAINED, Range.atLeast(2), Importance.LOW,
                    "Commit manifests kept per partition (only the newest is needed to recover).")
            .define(STALL_WARNING_MS, Type.LONG, 5_000L, Range.atLeast(100L), Importance.LOW,
                    "Warn, with where the writer's thread is, when its loop has not advanced for this long.");

    public LakeWriterConfig {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(krb5Conf, "krb5Conf");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keytab, "keytab");
        Objects.requireNonNull(nameNode, "nameNode");
        Objects.requireNonNull(nameNodePrincipal, "nameNodePrincipal");
        Objects.requireNonNull(schemasDir, "schemasDir");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(groupInstanceId, "groupInstanceId");
        Objects.requireNonNull(rollInterval, "rollInterval");
        Objects.requireNonNull(statusInterval, "statusInterval");
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        Objects.requireNonNull(hdfsRetryBackoffMax, "hdfsRetryBackoffMax");
        Objects.requireNonNull(stallWarning, "stallWarning");
        hadoopOverrides = Map.copyOf(hadoopOverrides);
        if (!writerId.matches("[A-Za-z0-9_]{1,40}")) {
            throw new ConfigException(WRITER_ID, writerId, "must be 1-40 letters, digits or underscores");
        }
        if (!Principals.isQualified(principal)) {
            throw new ConfigException(PRINCIPAL, principal, "must be qualified with the realm (name@REALM)");
        }
        if (!nameNode.startsWith("hdfs://")) {
            throw new ConfigException(NAMENODE, nameNode, "must be an hdfs:// URI");
        }
        if (stallWarning.compareTo(pollTimeout) <= 0) {
            throw new ConfigException(STALL_WARNING_MS, stallWarning.toMillis(), "must exceed " + POLL_TIMEOUT_MS
                    + " (" + pollTimeout.toMillis() + "): an idle writer waits that long in each poll");
        }
        if (rollMaxBytes < 1024 || maxOpenFiles < 1 || manifestsRetained < 2 || maxPollRecords < 1) {
            throw new ConfigException("roll.max.bytes >= 1024, max.open.files >= 1, manifests.retained >= 2 and "
                    + "kafka.max.poll.records >= 1 are required");
        }
    }

    public static LakeWriterConfig from(Map<String, ?> properties) {
        Map<String, Object> v = DEFINITION.parse(properties);
        Map<String, String> hadoop = new HashMap<>();
        properties.forEach((k, val) -> {
            if (k.startsWith(HADOOP_PREFIX)) {
                hadoop.put(k.substring(HADOOP_PREFIX.length()), String.valueOf(val));
            }
        });
        String writerId = (String) v.get(WRITER_ID);
        if (writerId.isEmpty()) {
            writerId = randomWriterId();
        }
        String krb5 = (String) v.get(KRB5_CONF);
        String instance = (String) v.get(GROUP_INSTANCE_ID);
        return new LakeWriterConfig((String) v.get(ENVIRONMENT), (String) v.get(BOOTSTRAP_SERVERS),
                Path.of((String) v.get(SSL_CA_PEM)), krb5.isEmpty() ? Optional.empty() : Optional.of(Path.of(krb5)),
                (String) v.get(PRINCIPAL), Path.of((String) v.get(KEYTAB)), (String) v.get(NAMENODE),
                (String) v.get(NAMENODE_PRINCIPAL), Path.of((String) v.get(SCHEMAS_DIR)), Path.of((String) v.get(STATE_DIR)),
                writerId, instance.isEmpty() ? Optional.empty() : Optional.of(instance), (Long) v.get(ROLL_MAX_BYTES),
                Duration.ofMillis((Long) v.get(ROLL_INTERVAL_MS)), (Integer) v.get(MAX_OPEN_FILES),
                (String) v.get(AVRO_CODEC), Duration.ofMillis((Long) v.get(STATUS_INTERVAL_MS)),
                Duration.ofMillis((Long) v.get(POLL_TIMEOUT_MS)), (Integer) v.get(MAX_POLL_RECORDS),
                (Integer) v.get(FETCH_MAX_BYTES), (Integer) v.get(MAX_PARTITION_FETCH_BYTES),
                (Integer) v.get(SESSION_TIMEOUT_MS), Duration.ofMillis((Long) v.get(HDFS_RETRY_BACKOFF_MAX_MS)),
                (Integer) v.get(MANIFESTS_RETAINED), Duration.ofMillis((Long) v.get(STALL_WARNING_MS)), hadoop);
    }

    static String randomWriterId() {
        return Long.toString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE, 36);
    }

    /** Where the writer publishes its figures for {@code securelake status}. */
    public Path statusFile() {
        return stateDir.resolve(io.securelake.contracts.status.ServiceKind.LAKE_WRITER.statusFileName());
    }
}
