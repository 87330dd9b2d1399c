package io.securelake.policies.kafka;

import static io.securelake.policies.kafka.KafkaRequests.action;
import static io.securelake.policies.kafka.KafkaRequests.context;
import static org.apache.kafka.server.authorizer.AuthorizationResult.ALLOWED;
import static org.apache.kafka.server.authorizer.AuthorizationResult.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.PolicyStore;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        dev = ShippedEnvironments.load("dev");
        n = dev.names();
        payments = dev.datasets().get(0);
        authorizer = configured(ShippedEnvironments.policiesDir(), "audit", RangerKafkaAuthorizer.DEFAULT_AUDIT_SUMMARY_WINDOW_MS);
    }

    @AfterEach
    void stop() {
        authorizer.close();
    }

    /** An authorizer as the broker configures it, over {@code policies}, its trail under {@code tmp/<auditName>}. */
    private RangerKafkaAuthorizer configured(Path policies, String auditName, long summaryWindowMs) {
        RangerKafkaAuthorizer a = new RangerKafkaAuthorizer();
        a.configure(Map.of(
                RangerKafkaAuthorizer.ENVIRONMENT, "dev",
                RangerKafkaAuthorizer.ENVS_DIR, ShippedEnvironments.catalog().directory().toString(),
                RangerKafkaAuthorizer.POLICIES_DIR, policies.toString(),
                RangerKafkaAuthorizer.AUDIT_DIR, tmp.resolve(auditName).toString(),
                RangerKafkaAuthorizer.SUPER_USERS, "User:kafka",
                RangerKafkaAuthorizer.AUDIT_SUMMARY_WINDOW_MS, Long.toString(summaryWindowMs)));
        return a;
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
        String sitIngest = ShippedEnvironments.load("sit").names().servicePrincipal(ServiceRole.INGEST);
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

    @Test
    void theCommittedPoliciesNoLongerGrantAdminsTheBrokerConfiguration() {
        assertThat(ask("carol", AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(DENIED);
        assertThat(ask("carol", AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(ALLOWED);
        assertThat(ask("carol", AclOperation.ALTER, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(ALLOWED);
    }

    /**
     * ALTER_CONFIGS on the cluster is what Kafka asks for BROKER and BROKER_LOGGER changes (a new listener,
     * another JAAS login, TRACE logging): refused even where a policy grants it, audited with the reason,
     * repeats summarised; the broker's super user passes; topic configuration stays the policies' call.
     */
    @Test
    void brokerConfigurationIsRefusedToAdminsWhateverThePoliciesSayAndAuditedWithTheReason() throws Exception {
        // A copy of the dev policies in which the admins' cluster policy grants alter_configs again.
        Path policies = tmp.resolve("granting");
        Path file = PolicyFiles.file(policies, dev, RangerServiceType.KAFKA);
        Files.createDirectories(file.getParent());
        String committed = Files.readString(PolicyFiles.file(ShippedEnvironments.policiesDir(), dev, RangerServiceType.KAFKA));
        String granting = committed.replaceFirst("(\"name\" : \"admins-cluster\",[\\s\\S]*?\"accesses\" : \\[ )",
                "$1{\n        \"type\" : \"alter_configs\",\n        \"isAllowed\" : true\n      }, ");
        assertThat(granting).isNotEqualTo(committed);
        Files.writeString(file, granting);
        AccessRequest carolAltersCluster = AccessRequest.of(RangerServiceType.KAFKA, "carol", Set.of("admins"),
                Map.of("cluster", "kafka-cluster"), "alter_configs");
        try (PolicyStore granted = PolicyStore.open(PolicyStore.Config.of(dev, RangerServiceType.KAFKA, policies,
                new JsonLinesAuditSink(tmp.resolve("unused"))).withWatch(false))) {
            assertThat(granted.evaluateUnaudited(carolAltersCluster).allowed()).as("the copy's policies grant it").isTrue();
        }

        authorizer.close();
        // One window for the whole test, so repeats are counted until close() writes their summary.
        authorizer = configured(policies, "granting-audit", Duration.ofHours(1).toMillis());
        for (int i = 0; i < 3; i++) {
            assertThat(ask("carol", AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(DENIED);
        }
        assertThat(authorizer.authorizeByResourceType(context("carol", ApiKeys.INCREMENTAL_ALTER_CONFIGS),
                AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER)).isEqualTo(DENIED);
        assertThat(ask("carol", AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, n.rawTopic(payments))).isEqualTo(ALLOWED);
        assertThat(ask("kafka", AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, "kafka-cluster")).isEqualTo(ALLOWED);
        authorizer.close(); // writes the window's summary and drains the batching writer

        List<AuditRecord> refused = AuditSearch.in(tmp.resolve("granting-audit")).find(AuditQuery.all()
                .withUser("carol").withResult(AuditRecord.Result.DENIED));
        assertThat(refused).allSatisfy(r -> {
            assertThat(r.action()).isEqualTo("alter_configs");
            assertThat(r.policy()).as("no policy decided it").isNull();
            assertThat(r.reason()).contains("alter_configs on the cluster").contains("listeners")
                    .contains("refused to everyone but the broker's super users, whatever the policies say")
                    .contains("never changed through the Kafka API");
        });
        assertThat(refused).extracting(AuditRecord::resource).containsOnly("cluster=kafka-cluster", "cluster=<any>");
        AuditRecord first = refused.get(0);
        assertThat(first.summary()).isNull();
        assertThat(first.requestId()).isEqualTo("client-carol#42");
        // Three refusals of one question: one full record, its two repeats as one summary.
        assertThat(refused.stream().filter(r -> r.resource().equals("cluster=kafka-cluster"))
                .mapToLong(AuditRecord::decisions).sum()).isEqualTo(3);
        assertThat(refused).anySatisfy(r -> assertThat(r.summary()).isNotNull());

        List<AuditRecord> allowed = AuditSearch.in(tmp.resolve("granting-audit")).find(AuditQuery.all()
                .withResult(AuditRecord.Result.ALLOWED));
        assertThat(allowed).extracting(AuditRecord::user, AuditRecord::resource, AuditRecord::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("carol", "topic=" + n.rawTopic(payments), "allowed by policy 6:admins-topics"),
                org.assertj.core.groups.Tuple.tuple("kafka", "cluster=kafka-cluster", "super user"));
    }
}
