package io.securelake.operations.keys;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.FieldEncryption;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.KmsClients;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Where an environment's key material lives, for every writer, reader and the {@code securelake keys} CLI: the key
 * registry ({@code keys.registry}: the environment's Kafka, each identity's index of it in
 * {@code <stack home>/key-index/<identity>/}; or one host's {@code <stack home>/deks/}), never clear keys (KEKs stay
 * in the KMS); the key-administration audit trail in {@code <stack home>/audit/keys/}.
 */
public final class LocalKeyStores {
    private LocalKeyStores() {
    }

    /** {@code .securelake/<env>/deks/}: one sub-directory per KEK ({@link FieldEncryption#directoryRepository} layout). */
    public static Path dekDirectory(StackHome home) {
        return home.root().resolve("deks");
    }

    /** How long a key-registry write or catch-up waits for Kafka before the caller is told the registry is unavailable. */
    public static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(60);

    /** The bound on the memory a process' index of the key registry caches its blocks in. */
    public static final long REGISTRY_INDEX_CACHE_BYTES = 32L << 20;

    /**
     * The least time between two rounds that rewrite a process' registry index to remove shredded keys' superseded
     * copies (a round rewrites much of the index: 2–7 s at 10 million customers). The registry's own copies on Kafka
     * are compacted away within a day ({@code max.compaction.lag.ms}).
     */
    public static final Duration REGISTRY_INDEX_ERASE_INTERVAL = Duration.ofMinutes(10);

    /**
     * The environment's key registry, as its definition says ({@code keys.registry}): on Kafka, opened as the identity
     * whose client settings are given, with its index in {@link #registryIndexDirectory} (the caller closes it); or this
     * host's directory.
     *
     * @param identity    the short name of the identity that acts (its index is its own)
     * @param kafkaClient Kafka client settings of that identity (bootstrap, TLS, its Kerberos login)
     */
    public static DekRepository dekRepository(Environment env, StackHome home, String identity, Properties kafkaClient) {
        return switch (env.keys().registry()) {
            case KAFKA -> KafkaDekRegistry.open(kafkaClient, env.names().keyRegistryTopic(), env.names().keyChangesTopic(),
                    REGISTRY_TIMEOUT, registryIndexDirectory(home, identity), REGISTRY_INDEX_CACHE_BYTES,
                    REGISTRY_INDEX_ERASE_INTERVAL);
            case DIRECTORY -> directoryRepository(home);
        };
    }

    /**
     * {@code .securelake/<env>/key-index/<identity>/}: what the key registry held when a process of that identity last
     * read it (sealed and wrapped keys only, as in the registry), owner-only, so the next one resumes from there.
     */
    public static Path registryIndexDirectory(StackHome home, String identity) {
        if (!identity.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("not an identity's short name: " + identity);
        }
        return home.root().resolve("key-index").resolve(identity);
    }

    /** This host's directory of wrapped keys ({@code keys.registry: directory}); created owner-only, like the rest of the stack home. */
    public static DekRepository directoryRepository(StackHome home) {
        Path dir = ownerOnlyDirectory(dekDirectory(home));
        return FieldEncryption.directoryRepository(dir);
    }

    /** {@code .securelake/<env>/audit/keys/}: the hash-chained JSON-lines trail of key administration. */
    public static Path keyAuditDirectory(StackHome home) {
        return home.auditDir().resolve("keys");
    }

    /**
     * The Hadoop settings a KMS client of this environment needs (the stack's truststore), as the map
     * {@code HadoopKekProvider.open(URI, Map)} takes.
     */
    public static Map<String, String> kmsClientSettings(CoreEndpoints endpoints) {
        Configuration conf = KmsClients.clientConfiguration(new Configuration(false), Path.of(endpoints.truststore()),
                endpoints.truststorePassword());
        Map<String, String> settings = new LinkedHashMap<>();
        conf.forEach(e -> settings.put(e.getKey(), e.getValue()));
        settings.put("hadoop.security.authentication", "kerberos");
        return settings;
    }

    /** The environment's KMS URI, or a refusal naming what is missing. */
    public static URI kmsUri(CoreEndpoints endpoints) {
        if (endpoints.kmsUri() == null || endpoints.kmsUri().isBlank()) {
            throw new IllegalStateException("environment " + endpoints.environment()
                    + " has no key provider (KMS) in its endpoints");
        }
        return URI.create(endpoints.kmsUri());
    }

    /**
     * The environment's KMS as a KEK provider acting as {@code user} on every call, from any thread: what an
     * ingest or ETL process hands to {@code FieldEncryption.fieldCipher(settings, provider, dekRepository(env, home, kafka))}.
     */
    public static KmsKekProvider kekProvider(CoreEndpoints endpoints, UserGroupInformation user) {
        Configuration conf = new Configuration();
        kmsClientSettings(endpoints).forEach(conf::set);
        return KmsKekProvider.open(kmsUri(endpoints), conf, user);
    }

    static Path ownerOnlyDirectory(Path dir) {
        try {
            Files.createDirectories(dir.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
