package io.securelake.policies.kafka;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.TestEnvs;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.securelake.policies.kafka.KafkaRequests.action;
import static io.securelake.policies.kafka.KafkaRequests.context;
import static org.apache.kafka.server.authorizer.AuthorizationResult.ALLOWED;
import static org.apache.kafka.server.authorizer.AuthorizationResult.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

/** The authorizer as the broker configures and calls it, over the committed dev policies. */
class RangerKafkaAuthorizerTest {
    @TempDir
    Path tmp;

    private Environment dev;
    private EnvironmentNames n;
    private Dataset payments;
    private RangerKafkaAuthorizer authorizer;

    @BeforeEach
    void start() {
        dev = TestEnvs.load("dev");
        n = dev.names();
        payments = dev.datasets().get(0);
        authorizer = new RangerKafkaAuthorizer();
        authorizer.configure(Map.of(
                RangerKafkaAuthorizer.ENVIRONMENT, "dev",
                RangerKafkaAuthorizer.ENVS_DIR, TestEnvs.catalog().directory().toString(),
                RangerKafkaAuthorizer.POLICIES_DIR, TestEnvs.policies().toString(),
                RangerKafkaAuthorizer.AUDIT_DIR, tmp.resolve("audit").toString(),
                RangerKafkaAuthorizer.SUPER_USERS, "User:kafka"));
    }

    @AfterEach
    void stop() {
        authorizer.close();
    }

    private AuthorizationResult ask(String user, AclOperation op, ResourceType type, String name) {
        return authorizer.authorize(context(user, ApiKeys.PRODUCE), List.of(action(op, type, name))).get(0);
    }

    @Test
    void ingestWritesOnlyItsRawAndDeadLetterTopics() {
        String ingest = n.servicePrincipal(ServiceRole.INGEST);
        assertThat(ask(ingest, AclOperation.WRITE, ResourceType.TOPIC, n.rawTopic(payments))).isEqualTo(ALLOWED);
        assertThat(ask(ingest, AclOperation.WRITE, ResourceType.TOPIC, n.deadLetterTopic(payments))).isEqualTo(ALLOWED);
        assertThat(ask(ingest, AclOperation.DESCRIBE, ResourceType.TOPIC, n.rawTopic(payments))).isEqualTo(ALLOWED);
        assertThat(ask(ingest, AclOperation.READ, ResourceType.TOPIC, n.rawTopic(payments))).isEqualTo(DENIED);
        assertThat(ask(ingest, AclOperation.WRITE, ResourceType.TOPIC, n.topicPrefix() + "other")).isEqualTo(DENIED);
        assertThat(ask(ingest, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(ALLOWED);
        assertThat(ask(ingest, AclOperation.CREATE, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(DENIED);
        assertThat(ask(ingest, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, n.topicPrefix() + "tx")).isEqualTo(DENIED);
    }

    @Test
    void lakeWriterReadsRawTopicsWithItsGroupOnly() {
        String writer = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        for (Dataset d : dev.datasets()) {
            assertThat(ask(writer, AclOperation.READ, ResourceType.TOPIC, n.rawTopic(d))).isEqualTo(ALLOWED);
            assertThat(ask(writer, AclOperation.READ, ResourceType.TOPIC, n.deadLetterTopic(d))).isEqualTo(DENIED);
        }
        assertThat(ask(writer, AclOperation.READ, ResourceType.GROUP, n.lakeWriterConsumerGroup())).isEqualTo(ALLOWED);
        assertThat(ask(writer, AclOperation.READ, ResourceType.GROUP, n.topicPrefix() + "someone-else")).isEqualTo(DENIED);
        assertThat(ask(writer, AclOperation.WRITE, ResourceType.TOPIC, n.rawTopic(payments))).isEqualTo(DENIED);
    }

    @Test
    void peopleWithoutKafkaRightsAndOtherEnvironmentsAreDenied() {
        String raw = n.rawTopic(payments);
        for (String user : List.of("alice", "bob", "dave", "mallory")) {
            assertThat(ask(user, AclOperation.READ, ResourceType.TOPIC, raw)).as(user).isEqualTo(DENIED);
            assertThat(ask(user, AclOperation.DESCRIBE, ResourceType.TOPIC, raw)).as(user).isEqualTo(DENIED);
        }
        String sitIngest = TestEnvs.load("sit").names().servicePrincipal(ServiceRole.INGEST);
        assertThat(ask(sitIngest, AclOperation.WRITE, ResourceType.TOPIC, raw)).isEqualTo(DENIED);
        assertThat(ask("carol", AclOperation.CREATE, ResourceType.TOPIC, raw)).isEqualTo(ALLOWED);
        assertThat(ask("carol", AclOperation.READ, ResourceType.TOPIC, raw)).isEqualTo(DENIED);
        assertThat(ask("kafka", AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(ALLOWED);
    }

    @Test
    void authorizeByResourceTypeAsksTheEngineAboutNamedResources() {
        String ingest = n.servicePrincipal(ServiceRole.INGEST);
        assertThat(authorizer.authorizeByResourceType(context(ingest, ApiKeys.INIT_PRODUCER_ID), AclOperation.WRITE,
                ResourceType.TOPIC)).isEqualTo(ALLOWED);
        assertThat(authorizer.authorizeByResourceType(context("mallory", ApiKeys.INIT_PRODUCER_ID), AclOperation.WRITE,
                ResourceType.TOPIC)).isEqualTo(DENIED);
    }

    @Test
    void aclApiIsRefusedWithAnExplanation() throws Exception {
        var result = authorizer.deleteAcls(context("carol", ApiKeys.DELETE_ACLS), List.of(AclBindingFilter.ANY)).get(0)
                .toCompletableFuture().get();
        assertThat(result.exception()).hasValueSatisfying(e -> assertThat(e.getMessage())
                .contains("Ranger policies (dev_kafka)").contains("securelake policy"));
        assertThat(authorizer.acls(AclBindingFilter.ANY)).isEmpty();
    }

    @Test
    void everyDecisionIsAuditedIncludingDenialsNoPolicyMentions() {
        ask("mallory", AclOperation.READ, ResourceType.TOPIC, "nobody.mentions.this");
        ask(n.servicePrincipal(ServiceRole.INGEST), AclOperation.WRITE, ResourceType.TOPIC, n.rawTopic(payments));
        ask("kafka", AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, "kafka-cluster");
        authorizer.close(); // drains the batching writer
        List<AuditRecord> records = AuditSearch.in(tmp.resolve("audit")).find(AuditQuery.all());
        assertThat(records).hasSize(3);
        AuditRecord denied = records.get(0);
        assertThat(denied.result()).isEqualTo(AuditRecord.Result.DENIED);
        assertThat(denied.policy()).isNull();
        assertThat(denied.reason()).contains("no policy of dev_kafka grants consume on topic=nobody.mentions.this");
        assertThat(denied.environment()).isEqualTo("dev");
        assertThat(denied.clientAddress()).isEqualTo("127.0.0.1");
        assertThat(denied.requestId()).isEqualTo("client-mallory#42");
        assertThat(records.get(1).policy()).isEqualTo("1:ingest-payments-produce");
        assertThat(records.get(1).groups()).containsExactly(n.servicePrincipal(ServiceRole.INGEST));
        assertThat(records.get(2).reason()).isEqualTo("super user");
    }
}
