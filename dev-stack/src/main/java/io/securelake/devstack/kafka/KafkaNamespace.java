package io.securelake.devstack.kafka;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * An environment's Kafka topics (raw and dead-letter per dataset). Who may use them is decided by the
 * environment's Ranger policies, not here. Applying it twice changes nothing.
 */
public final class KafkaNamespace {
    static final int RAW_PARTITIONS = 3;
    static final int DEAD_LETTER_PARTITIONS = 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Environment env;

    public KafkaNamespace(Environment env) {
        this.env = env;
    }

    public List<NewTopic> topics() {
        EnvironmentNames n = env.names();
        List<NewTopic> topics = new ArrayList<>();
        for (Dataset d : env.datasets()) {
            Map<String, String> config = Map.of(
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(d.retentionDays()).toMillis()),
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1");
            topics.add(new NewTopic(n.rawTopic(d), RAW_PARTITIONS, (short) 1).configs(config));
            topics.add(new NewTopic(n.deadLetterTopic(d), DEAD_LETTER_PARTITIONS, (short) 1).configs(config));
        }
        // The key registry: kept for good, compacted so that what a shred erases (null records over a key's
        // material) is deleted within a day; one partition each, so each is one ordered log (docs/KEYS.md).
        Map<String, String> registry = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
                TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()),
                TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()),
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1");
        topics.add(new NewTopic(n.keyRegistryTopic(), 1, (short) 1).configs(registry));
        topics.add(new NewTopic(n.keyChangesTopic(), 1, (short) 1).configs(registry));
        return topics;
    }

    /** Creates missing topics; idempotent. {@code admin} must be a super user. */
    public void apply(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = topics().stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the Kafka namespace of " + env.name() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + TIMEOUT + " while creating the namespace of "
                    + env.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
