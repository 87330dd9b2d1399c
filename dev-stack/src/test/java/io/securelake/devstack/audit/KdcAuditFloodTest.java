package io.securelake.devstack.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.audit.AuditVerifier;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.devstack.kdc.KdcExchange;
import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flood of failed logins from one source is summarised by (source, reason), whatever names it uses. */
class KdcAuditFloodTest {
    private static final Environment DEV = ShippedEnvironments.load("dev");
    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final String WRONG_PASSWORD = "KRB_AP_ERR_BAD_INTEGRITY: wrong password or key";

    @TempDir
    Path trail;

    private static KdcExchange failedLogin(Instant at, String user, String address) {
        return new KdcExchange(at, KdcExchange.Kind.AS, user + "@" + DEV.realm(), "krbtgt/" + DEV.realm() + "@" + DEV.realm(),
                address, false, WRONG_PASSWORD, true);
    }

    private KdcAudit audit(Instant now) {
        return new KdcAudit(DEV, new JsonLinesAuditSink(trail), m -> { }, Clock.fixed(now, ZoneOffset.UTC),
                KdcAudit.FAILED_LOGIN_WINDOW, false);
    }

    @Test
    void ten_thousand_failed_logins_with_random_names_are_a_bounded_number_of_records_that_add_up() {
        Random random = new Random(42);
        try (KdcAudit audit = audit(T0.plusSeconds(60))) {
            // 10,000 refusals over 5 s (two per millisecond), each under a new name, some of them hostile.
            for (int i = 0; i < 10_000; i++) {
                String name = Long.toHexString(random.nextLong()) + (i % 7 == 0 ? "\n\u001b[2J" + "x".repeat(500) : "");
                audit.onExchange(failedLogin(T0.plusMillis(i / 2), name, "203.0.113.7"));
            }
            audit.closeEndedWindows(); // the clock is past every window: their summaries are written now
            // Another source is not folded into the flood's summary: its first refusal is on record in full.
            audit.onExchange(failedLogin(T0.plusSeconds(6), "alice", "198.51.100.1"));
        }

        assertThat(AuditVerifier.verify(trail).intact()).isTrue();
        List<AuditRecord> records = AuditSearch.in(trail).find(AuditQuery.all());
        List<AuditRecord> flood = records.stream().filter(r -> "203.0.113.7".equals(r.clientAddress())).toList();
        // One full record and one summary per 1 s window: 5 windows.
        assertThat(flood).hasSize(10);
        assertThat(flood.stream().mapToLong(AuditRecord::decisions).sum()).isEqualTo(10_000);
        List<AuditRecord> summaries = flood.stream().filter(r -> r.summary() != null).toList();
        assertThat(summaries).hasSize(5).allSatisfy(s -> {
            assertThat(s.result()).isEqualTo(AuditRecord.Result.DENIED);
            assertThat(s.user()).isEqualTo("(more than 256 names)");
            assertThat(s.reason()).startsWith("login refused by the KDC: " + WRONG_PASSWORD)
                    .contains("distinct user name(s), chosen by the requester").hasSizeLessThan(400);
            assertThat(s.summary().last()).isAfter(s.time());
        });
        assertThat(records).filteredOn(r -> "198.51.100.1".equals(r.clientAddress()))
                .singleElement().satisfies(r -> assertThat(r.user()).isEqualTo("alice"));
    }

    @Test
    void repeats_of_one_name_keep_it_and_a_window_still_open_at_close_is_written() {
        try (KdcAudit audit = audit(T0)) {
            for (int i = 0; i < 50; i++) {
                audit.onExchange(failedLogin(T0.plusMillis(i), "bob", "192.0.2.4"));
            }
            audit.closeEndedWindows(); // the window has not ended: nothing yet
        }
        List<AuditRecord> records = AuditSearch.in(trail).find(AuditQuery.all());
        assertThat(records).hasSize(2);
        assertThat(records.get(1).summary().count()).isEqualTo(49);
        assertThat(records).extracting(AuditRecord::user).containsOnly("bob");
        assertThat(records.get(1).resource()).isEqualTo(records.get(0).resource());
        assertThat(AuditVerifier.verify(trail).intact()).isTrue();
    }
}
