package io.securelake.ingest.producer;

import io.securelake.envs.Environment;
import io.securelake.envs.Principals;
import java.net.URI;
import java.nio.file.Path;
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
 * Configuration of a {@link SecureProducer}, immutable and validated. Built from string properties with
 * {@link #from(Map)} (typed definitions with documentation in {@link #DEFINITION}, Kafka-client style) or
 * directly. Names of topics and keys are not configured: they are derived from the environment.
 */
public record IngestConfig(String environment, String dataset, String bootstrapServers, Path caPem,
                           Optional<Path> krb5Conf, KerberosCredentials credentials, boolean encryptionEnabled,
                           Optional<URI> kekProviderUri, Optional<Path> dekRepositoryDir, Path schemasDir,
                           ProducerTuning tuning) {

    public static final String ENVIRONMENT = "environment";
    public static final String DATASET = "dataset";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String SSL_CA_PEM = "ssl.ca.pem";
    public static final String KRB5_CONF = "krb5.conf";
    public static final String PRINCIPAL = "kerberos.principal";
    public static final String KEYTAB = "kerberos.keytab";
    public static final String TICKET_CACHE = "kerberos.ticket.cache";
    public static final String ENCRYPTION_ENABLED = "encryption.enabled";
    public static final String KEK_PROVIDER_URI = "encryption.kek.provider.uri";
    public static final String DEK_REPOSITORY_DIR = "encryption.dek.repository.dir";
    public static final String SCHEMAS_DIR = "schemas.dir";
    public static final String LINGER_MS = "producer.linger.ms";
    public static final String BATCH_SIZE = "producer.batch.size";
    public static final String COMPRESSION = "producer.compression.type";
    public static final String BUFFER_MEMORY = "producer.buffer.memory";
    public static final String DELIVERY_TIMEOUT_MS = "producer.delivery.timeout.ms";
    public static final String MAX_BLOCK_MS = "producer.max.block.ms";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(ENVIRONMENT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Environment the events belong to (dev, sit, prod); topics and keys are derived from it.")
            .define(DATASET, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Dataset of the environment the producer writes (e.g. payments).")
            .define(BOOTSTRAP_SERVERS, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka brokers, host:port[,host:port]; SASL_SSL with GSSAPI is the only protocol used.")
            .define(SSL_CA_PEM, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "PEM file of the CA that signed the brokers' certificates.")
            .define(KRB5_CONF, Type.STRING, "", Importance.MEDIUM,
                    "krb5.conf the JVM must use: the process points it there (KerberosJvm.useKrb5Conf, in its main) "
                            + "and the producer checks; empty keeps the JVM's (java.security.krb5.conf or /etc/krb5.conf).")
            .define(PRINCIPAL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kerberos principal the producer authenticates as, qualified with the realm.")
            .define(KEYTAB, Type.STRING, "", Importance.HIGH,
                    "Keytab of the principal. Empty: use the ticket cache (kinit) instead.")
            .define(TICKET_CACHE, Type.STRING, "", Importance.LOW,
                    "Ticket cache file when no keytab is given; empty uses KRB5CCNAME or the default cache.")
            .define(ENCRYPTION_ENABLED, Type.BOOLEAN, true, Importance.HIGH,
                    "Encrypt classified fields before they leave the process. May be turned off only in the dev "
                            + "environment (refused anywhere else), to measure the cost of encryption: personal data then "
                            + "travels and lands in clear.")
            .define(KEK_PROVIDER_URI, Type.STRING, "", Importance.HIGH,
                    "Hadoop KeyProvider URI holding the environment's KEKs: jceks://file/<path> for a keystore, "
                            + "kms://https@host:port/kms for Hadoop or Ranger KMS. Required when encryption is enabled and the "
                            + "caller supplies no provider.")
            .define(DEK_REPOSITORY_DIR, Type.STRING, "", Importance.HIGH,
                    "Directory of the shared DEK repository (wrapped DEKs only). Required when encryption is enabled "
                            + "and the caller supplies no repository.")
            .define(SCHEMAS_DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Directory of dataset schemas, <dir>/<dataset>/v<N>.avsc.")
            .define(LINGER_MS, Type.INT, 10, Range.between(0, 60_000), Importance.LOW,
                    "Kafka linger.ms: how long to wait to fill a batch.")
            .define(BATCH_SIZE, Type.INT, 256 * 1024, Range.between(1024, 16 * 1024 * 1024), Importance.LOW,
                    "Kafka batch.size in bytes.")
            .define(COMPRESSION, Type.STRING, "lz4", ValidString.in("none", "gzip", "snappy", "lz4", "zstd"), Importance.LOW,
                    "Kafka compression.type.")
            .define(BUFFER_MEMORY, Type.LONG, 64L * 1024 * 1024, Range.atLeast(1024L * 1024), Importance.MEDIUM,
                    "Kafka buffer.memory: bound of unsent bytes; send() blocks (up to max.block.ms) when full.")
            .define(DELIVERY_TIMEOUT_MS, Type.INT, 120_000, Range.atLeast(1_000), Importance.LOW,
                    "Kafka delivery.timeout.ms: a send fails after this long.")
            .define(MAX_BLOCK_MS, Type.LONG, 60_000L, Range.atLeast(0L), Importance.LOW,
                    "Kafka max.block.ms: how long send() may block on metadata or a full buffer; also how long it "
                            + "waits for an unreachable key service when an event needs a new data key.");

    /** Kafka producer settings a caller may tune; safety settings (acks, idempotence) are not among them. */
    public record ProducerTuning(int lingerMs, int batchSize, String compression, long bufferMemory,
                                 int deliveryTimeoutMs, long maxBlockMs) {
        public ProducerTuning {
            Objects.requireNonNull(compression, "compression");
        }

        public static ProducerTuning defaults() {
            return new ProducerTuning(10, 256 * 1024, "lz4", 64L * 1024 * 1024, 120_000, 60_000L);
        }

        public ProducerTuning withCompression(String type) {
            return new ProducerTuning(lingerMs, batchSize, type, bufferMemory, deliveryTimeoutMs, maxBlockMs);
        }
    }

    public IngestConfig {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(krb5Conf, "krb5Conf");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(kekProviderUri, "kekProviderUri");
        Objects.requireNonNull(dekRepositoryDir, "dekRepositoryDir");
        Objects.requireNonNull(schemasDir, "schemasDir");
        Objects.requireNonNull(tuning, "tuning");
        // Checked here, not at open: every way of building a configuration (properties, withEncryption, the
        // constructor) goes through this, so clear personal data outside dev cannot even be configured.
        if (!encryptionEnabled && !Environment.isDevelopment(environment)) {
            throw new ConfigException(ENCRYPTION_ENABLED, false, "encryption may only be switched off in the "
                    + Environment.DEVELOPMENT + " environment, and '" + environment + "' is not " + Environment.DEVELOPMENT
                    + ": classified personal fields would travel through Kafka and land in HDFS in clear");
        }
        if (!Principals.isQualified(credentials.principal())) {
            throw new ConfigException(PRINCIPAL, credentials.principal(), "must be qualified with the realm (name@REALM)");
        }
    }

    /** Parses and validates string properties against {@link #DEFINITION}; every error names its key. */
    public static IngestConfig from(Map<String, ?> properties) {
        Map<String, Object> v = DEFINITION.parse(properties);
        String principal = (String) v.get(PRINCIPAL);
        String keytab = (String) v.get(KEYTAB);
        String cache = (String) v.get(TICKET_CACHE);
        KerberosCredentials credentials = keytab.isEmpty()
                ? new KerberosCredentials.TicketCache(principal, cache.isEmpty() ? Optional.empty() : Optional.of(Path.of(cache)))
                : new KerberosCredentials.Keytab(principal, Path.of(keytab));
        String uri = (String) v.get(KEK_PROVIDER_URI);
        String deks = (String) v.get(DEK_REPOSITORY_DIR);
        String krb5 = (String) v.get(KRB5_CONF);
        return new IngestConfig((String) v.get(ENVIRONMENT), (String) v.get(DATASET), (String) v.get(BOOTSTRAP_SERVERS),
                Path.of((String) v.get(SSL_CA_PEM)), krb5.isEmpty() ? Optional.empty() : Optional.of(Path.of(krb5)),
                credentials, (Boolean) v.get(ENCRYPTION_ENABLED),
                uri.isEmpty() ? Optional.empty() : Optional.of(URI.create(uri)),
                deks.isEmpty() ? Optional.empty() : Optional.of(Path.of(deks)), Path.of((String) v.get(SCHEMAS_DIR)),
                new ProducerTuning((Integer) v.get(LINGER_MS), (Integer) v.get(BATCH_SIZE), (String) v.get(COMPRESSION),
                        (Long) v.get(BUFFER_MEMORY), (Integer) v.get(DELIVERY_TIMEOUT_MS), (Long) v.get(MAX_BLOCK_MS)));
    }

    /** The same configuration for another dataset. */
    public IngestConfig withDataset(String otherDataset) {
        return new IngestConfig(environment, otherDataset, bootstrapServers, caPem, krb5Conf, credentials,
                encryptionEnabled, kekProviderUri, dekRepositoryDir, schemasDir, tuning);
    }

    /** The same configuration with encryption switched (benchmarks compare both). */
    public IngestConfig withEncryption(boolean enabled) {
        return new IngestConfig(environment, dataset, bootstrapServers, caPem, krb5Conf, credentials, enabled,
                kekProviderUri, dekRepositoryDir, schemasDir, tuning);
    }

    public IngestConfig withTuning(ProducerTuning other) {
        return new IngestConfig(environment, dataset, bootstrapServers, caPem, krb5Conf, credentials,
                encryptionEnabled, kekProviderUri, dekRepositoryDir, schemasDir, other);
    }

    /** The string form {@link #from(Map)} reads back. */
    public Map<String, String> toProperties() {
        Map<String, String> p = new HashMap<>();
        p.put(ENVIRONMENT, environment);
        p.put(DATASET, dataset);
        p.put(BOOTSTRAP_SERVERS, bootstrapServers);
        p.put(SSL_CA_PEM, caPem.toString());
        krb5Conf.ifPresent(k -> p.put(KRB5_CONF, k.toString()));
        p.put(PRINCIPAL, credentials.principal());
        if (credentials instanceof KerberosCredentials.Keytab k) {
            p.put(KEYTAB, k.keytab().toString());
        } else if (credentials instanceof KerberosCredentials.TicketCache t) {
            t.cache().ifPresent(c -> p.put(TICKET_CACHE, c.toString()));
        }
        p.put(ENCRYPTION_ENABLED, Boolean.toString(encryptionEnabled));
        kekProviderUri.ifPresent(u -> p.put(KEK_PROVIDER_URI, u.toString()));
        dekRepositoryDir.ifPresent(d -> p.put(DEK_REPOSITORY_DIR, d.toString()));
        p.put(SCHEMAS_DIR, schemasDir.toString());
        p.put(LINGER_MS, Integer.toString(tuning.lingerMs()));
        p.put(BATCH_SIZE, Integer.toString(tuning.batchSize()));
        p.put(COMPRESSION, tuning.compression());
        p.put(BUFFER_MEMORY, Long.toString(tuning.bufferMemory()));
        p.put(DELIVERY_TIMEOUT_MS, Integer.toString(tuning.deliveryTimeoutMs()));
        p.put(MAX_BLOCK_MS, Long.toString(tuning.maxBlockMs()));
        return p;
    }
}
