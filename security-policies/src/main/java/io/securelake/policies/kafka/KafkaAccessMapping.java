package io.securelake.policies.kafka;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Optional;

/** Kafka's resource types and operations in the terms of Ranger's kafka service definition. */
public final class KafkaAccessMapping {
    private KafkaAccessMapping() {
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
