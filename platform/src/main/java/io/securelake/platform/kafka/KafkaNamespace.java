package io.securelake.platform.kafka;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Person;
import io.securelake.envs.Role;
import io.securelake.envs.ServiceRole;
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
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * An environment's Kafka namespace: its topics and the ACLs that grant exactly what each identity
 * needs. Everything else is denied (the broker runs with {@code allow.everyone.if.no.acl.found=false}).
 * Applying it twice changes nothing.
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
        return topics;
    }

    /** The grants of the foundation: each identity gets what its job needs and no more. */
    public List<AclBinding> acls() {
        EnvironmentNames n = env.names();
        List<AclBinding> acls = new ArrayList<>();
        String ingest = EnvironmentNames.shortName(n.servicePrincipal(ServiceRole.INGEST));
        String lakeWriter = EnvironmentNames.shortName(n.servicePrincipal(ServiceRole.LAKE_WRITER));
        for (Dataset d : env.datasets()) {
            for (String topic : List.of(n.rawTopic(d), n.deadLetterTopic(d))) {
                allow(acls, ingest, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
            }
        }
        allow(acls, lakeWriter, ResourceType.TOPIC, n.rawTopicPrefix(), PatternType.PREFIXED,
                AclOperation.READ, AclOperation.DESCRIBE);
        allow(acls, lakeWriter, ResourceType.GROUP, n.lakeWriterConsumerGroup(), PatternType.LITERAL, AclOperation.READ);
        for (Person admin : env.peopleWithRole(Role.ADMIN)) {
            String user = n.personPrincipal(admin);
            allow(acls, user, ResourceType.TOPIC, n.topicPrefix(), PatternType.PREFIXED, AclOperation.ALL);
            allow(acls, user, ResourceType.GROUP, n.topicPrefix(), PatternType.PREFIXED, AclOperation.ALL);
            allow(acls, user, ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL,
                    AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        }
        return acls;
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
                              AclOperation... operations) {
        for (AclOperation op : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
        }
    }

    /** Creates missing topics and the ACLs; idempotent. {@code admin} must be a super user. */
    public void apply(Admin admin) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = topics().stream().filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            admin.createAcls(acls()).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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
