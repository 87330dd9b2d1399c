package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.engine.PolicyStore;
import io.securelake.testsupport.ShippedEnvironments;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ranger's engine over the committed dev_knox.json, as the gateway's filter asks it. */
class KnoxAuthorizerTest {
    private static final Environment DEV = ShippedEnvironments.load("dev");
    private final List<AuditRecord> audit = new CopyOnWriteArrayList<>();
    private final KnoxAuthorizer authorizer = new KnoxAuthorizer(DEV, PolicyStore.open(
            PolicyStore.Config.of(DEV, RangerServiceType.KNOX, ShippedEnvironments.policiesDir(), new AuditSink() {
                @Override
                public void write(AuditRecord record) {
                    audit.add(record);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            }).withWatch(false)));

    @AfterEach
    void close() {
        authorizer.close();
    }

    @Test
    void analystsAndAuditorsUseHiveAndWebhdfs() {
        for (String user : List.of("alice", "bob", "dave")) {
            for (String svc : KnoxServices.ALL) {
                assertThat(authorizer.decide(user, "dev", svc, "127.0.0.1", "r").allowed()).as(user + " " + svc).isTrue();
            }
        }
    }

    @Test
    void adminsUseEveryService() {
        assertThat(authorizer.decide("carol", "dev", "WEBHDFS", null, null).allowed()).isTrue();
        assertThat(authorizer.decide("carol", "dev", "KNOXTOKEN", null, null).allowed()).isTrue();
        assertThat(authorizer.decide("alice", "dev", "KNOXTOKEN", null, null).allowed()).isFalse();
    }

    @Test
    void someoneWithoutRoleIsDeniedWithAMessageNamingUserTopologyAndService() {
        KnoxAuthorizer.Outcome o = authorizer.decide("mallory", "dev", "WEBHDFS", "10.1.2.3", "req-9");
        assertThat(o.allowed()).isFalse();
        assertThat(o.message()).contains("user 'mallory'").contains("service WEBHDFS").contains("topology 'dev'")
                .contains("no policy of dev_knox grants allow");
        AuditRecord r = audit.get(audit.size() - 1);
        assertThat(r.user()).isEqualTo("mallory");
        assertThat(r.stage()).isEqualTo("knox");
        assertThat(r.resource()).isEqualTo("topology=dev;service=WEBHDFS");
        assertThat(r.action()).isEqualTo("allow");
        assertThat(r.result()).isEqualTo(AuditRecord.Result.DENIED);
        assertThat(r.clientAddress()).isEqualTo("10.1.2.3");
        assertThat(r.requestId()).isEqualTo("req-9");
    }

    @Test
    void anotherEnvironmentsTopologyIsNotCovered() {
        assertThat(authorizer.decide("alice", "prod", "WEBHDFS", null, null).allowed()).isFalse();
        assertThat(authorizer.decide("svc-knox-dev", "dev", "WEBHDFS", null, null).allowed()).isFalse();
    }

    @Test
    void everyDecisionIsAudited() {
        authorizer.decide("alice", "dev", "HIVE", null, null);
        authorizer.decide("mallory", "dev", "HIVE", null, null);
        assertThat(audit).extracting(AuditRecord::user).containsExactly("alice", "mallory");
        assertThat(audit.get(0).groups()).containsExactly("analysts");
        assertThat(audit.get(0).policy()).isEqualTo("1:analysts-auditors-gateway");
    }

    @Test
    void registryFindsTheAuthorizerOfAnEnvironment() {
        KnoxAuthorizer.register(authorizer);
        assertThat(KnoxAuthorizer.registered("dev")).isSameAs(authorizer);
        authorizer.close();
        assertThat(KnoxAuthorizer.registered("dev")).isNull();
    }
}
