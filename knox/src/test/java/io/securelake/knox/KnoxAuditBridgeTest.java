package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.testsupport.ShippedEnvironments;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnoxAuditBridgeTest {
    private final List<AuditRecord> written = new ArrayList<>();
    private final KnoxAuditBridge bridge = new KnoxAuditBridge(ShippedEnvironments.load("dev"), "gateway", new AuditSink() {
        @Override
        public void write(AuditRecord record) {
            written.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }, Clock.systemUTC(), s -> { });
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @Test
    void successWithGroupsBecomesAnAllowedAuthentication() {
        AuditRecord r = bridge.toRecord("authentication", "success", "uri",
                "https://localhost:8443/gateway/dev/webhdfs/v1/tmp?op=LISTSTATUS", "alice", "10.0.0.7", null, "req-1",
                "Groups: [analysts, auditors]", T);
        assertThat(r).isNotNull();
        assertThat(r.user()).isEqualTo("alice");
        assertThat(r.groups()).containsExactly("analysts", "auditors");
        assertThat(r.stage()).isEqualTo("knox");
        assertThat(r.service()).isEqualTo("dev_knox");
        assertThat(r.action()).isEqualTo("authenticate");
        assertThat(r.resource()).isEqualTo("topology=dev;service=WEBHDFS");
        assertThat(r.result()).isEqualTo(AuditRecord.Result.ALLOWED);
        assertThat(r.clientAddress()).isEqualTo("10.0.0.7");
        assertThat(r.requestId()).isEqualTo("req-1");
        assertThat(r.time()).isEqualTo(T);
    }

    @Test
    void theFirstOfKnoxsTwoSuccessEventsIsNotRepeated() {
        assertThat(bridge.toRecord("authentication", "success", "uri", "https://h/gateway/dev/hive", "alice", null,
                "HIVE", null, null, T)).isNull();
    }

    @Test
    void failureNamesTheAttemptedPrincipal() {
        AuditRecord r = bridge.toRecord("authentication", "failure", "principal", "eve", null, "127.0.0.1", "HIVE",
                "req-2", "LDAP authentication failed.", T);
        assertThat(r.user()).isEqualTo("eve");
        assertThat(r.result()).isEqualTo(AuditRecord.Result.DENIED);
        assertThat(r.resource()).isEqualTo("topology=dev;service=HIVE");
        assertThat(r.reason()).contains("LDAP authentication failed");
    }

    @Test
    void otherKnoxEventsStayInGatewayAuditLog() {
        for (String action : List.of("authorization", "dispatch", "access", "identity-mapping", "deploy")) {
            assertThat(bridge.toRecord(action, "success", "uri", "https://h/gateway/dev/hive", "alice", null, null,
                    null, null, T)).as(action).isNull();
        }
    }

    @Test
    void resourceFromUrl() {
        assertThat(bridge.resourceOf("https://h:1/gateway/dev/hive", "dev")).isEqualTo("topology=dev;service=HIVE");
        assertThat(bridge.resourceOf("/gateway/dev", "dev")).isEqualTo("topology=dev");
        assertThat(bridge.resourceOf("/elsewhere", "dev")).isEqualTo("topology=dev");
        assertThat(bridge.resourceOf(null, "dev")).isEqualTo("topology=dev");
    }
}
