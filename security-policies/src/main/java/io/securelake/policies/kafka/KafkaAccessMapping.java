package io.securelake.policies.kafka;

import java.util.Optional;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/** Kafka's resource types and operations in the terms of Ranger's kafka service definition. */
public final class KafkaAccessMapping {
    private KafkaAccessMapping() {
    }

    /** The name under which {@link #refusedWhateverThePolicies} refusals are audited and counted. */
    public static final String BROKER_CONFIG_RULE = "broker-config-is-deployed";

    /**
     * Why a request is refused to everyone but the broker's super users, whatever the policies grant; empty
     * when the policies decide. ALTER_CONFIGS on the CLUSTER is what Kafka asks for changes to BROKER and
     * BROKER_LOGGER configuration (also client quotas and client-metrics subscriptions): through it one could
     * add a PLAINTEXT listener, replace a listener's JAAS login or TLS keystore, or turn a logger to TRACE
     * and spill secrets into the logs. The broker's configuration is deployed with it, never changed
     * through the Kafka API, so no policy may grant it. Topic configuration stays governed by policies.
     */
    public static Optional<String> refusedWhateverThePolicies(String resourceKey, String accessType) {
        if ("cluster".equals(resourceKey) && "alter_configs".equals(accessType)) {
            return Optional.of("alter_configs on the cluster (the broker's own and its loggers' configuration: "
                    + "listeners, SASL/JAAS logins, TLS keystores, log levels) is refused to everyone but the "
                    + "broker's super users, whatever the policies say: broker configuration is deployed, never "
                    + "changed through the Kafka API");
        }
        return Optional.empty();
    }

    public static Optional<String> resourceKey(ResourceType type) {
        return Optional.ofNullable(switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "consumergroup";
            case TRANSACTIONAL_ID -> "transactionalid";
            case CLUSTER -> "cluster";
            case DELEGATION_TOKEN -> "delegationtoken";
            default -> null;
        });
    }

    /**
     * READ → consume, WRITE → publish, ALTER → alter (Ranger's older plugin used configure; the kafka
     * service definition has both, and admins' policies grant both). Operations without a Ranger
     * counterpart (e.g. CREATE_TOKENS, TWO_PHASE_COMMIT, ALL, ANY) are refused.
     */
    public static Optional<String> accessType(AclOperation op) {
        return Optional.ofNullable(switch (op) {
            case READ -> "consume";
            case WRITE -> "publish";
            case CREATE -> "create";
            case DELETE -> "delete";
            case ALTER -> "alter";
            case DESCRIBE -> "describe";
            case CLUSTER_ACTION -> "cluster_action";
            case DESCRIBE_CONFIGS -> "describe_configs";
            case ALTER_CONFIGS -> "alter_configs";
            case IDEMPOTENT_WRITE -> "idempotent_write";
            default -> null;
        });
    }
}
