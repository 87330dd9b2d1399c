package io.securelake.policies.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.audit.AuditSinkException;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.util.ServicePolicies;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kept decisions and summarised repeats in {@link PolicyStore}, with a clock the test moves. */
class RepeatedDecisionsTest {
    @TempDir
    Path tmp;

    Environment dev;
    Path root;
    Path file;
    AccessRequest publish;
    AccessRequest strangerPublish;
    final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final Capture audit = new Capture();

    @BeforeEach
    void policies() throws Exception {
        dev = ShippedEnvironments.load("dev");
        root = tmp.resolve("policies");
        file = PolicyFiles.file(root, dev, RangerServiceType.KAFKA);
        Files.createDirectories(file.getParent());
        Files.copy(PolicyFiles.file(ShippedEnvironments.policiesDir(), dev, RangerServiceType.KAFKA), file);
        String ingest = dev.names().servicePrincipal(ServiceRole.INGEST);
        String topic = dev.names().rawTopic(dev.datasets().get(0));
        publish = new AccessRequest(RangerServiceType.KAFKA, ingest, Set.of(), Map.of("topic", topic), "publish",
                "127.0.0.1", "req-1");
        strangerPublish = new AccessRequest(RangerServiceType.KAFKA, "mallory", Set.of(), Map.of("topic", topic),
                "publish", "127.0.0.1", "req-2");
    }

    PolicyStore open(Duration window) {
        return PolicyStore.open(PolicyStore.Config.of(dev, RangerServiceType.KAFKA, root, audit).withWatch(false)
                .withClock(clock).withAuditSummaryWindow(window));
    }

    @Test
    void repeatsWithinTheWindowBecomeOneSummaryRecordAfterTheFirstFullOne() {
        try (PolicyStore store = open(Duration.ofSeconds(1))) {
            for (int i = 0; i < 100; i++) {
                assertThat(store.decide(publish).allowed()).isTrue();
                assertThat(store.decide(strangerPublish).allowed()).isFalse();
                clock.advance(Duration.ofMillis(5));
            }
            // The first of each question is written at once, in full, with its request id.
            assertThat(audit.records).hasSize(2);
            assertThat(audit.records).allSatisfy(r -> assertThat(r.summary()).isNull());
            assertThat(audit.records.get(0).requestId()).isEqualTo("req-1");

            clock.advance(Duration.ofSeconds(1));
            store.closeEndedWindows();
            List<AuditRecord> summaries = audit.records.stream().filter(r -> r.summary() != null).toList();
            assertThat(summaries).hasSize(2);
            AuditRecord allowed = summaries.stream().filter(AuditRecord::allowed).findFirst().orElseThrow();
            assertThat(allowed.summary().count()).isEqualTo(99);
            assertThat(allowed.time()).isEqualTo(Instant.parse("2026-12-01T10:00:00.005Z"));
            assertThat(allowed.summary().last()).isEqualTo(Instant.parse("2026-12-01T10:00:00.495Z"));
            assertThat(allowed.user()).isEqualTo(publish.user());
            assertThat(allowed.resource()).isEqualTo(publish.resourceString());
            assertThat(allowed.requestId()).isEmpty();
            AuditRecord denied = summaries.stream().filter(r -> !r.allowed()).findFirst().orElseThrow();
            assertThat(denied.summary().count()).isEqualTo(99);
            assertThat(denied.reason()).contains("denied by default");
            // Every decision is accounted for.
            assertThat(audit.records.stream().mapToLong(AuditRecord::decisions).sum()).isEqualTo(200);

            // After the window, the next decision is written in full again.
            store.decide(publish);
            assertThat(audit.records.get(audit.records.size() - 1).summary()).isNull();
            assertThat(audit.records).hasSize(5);
        }
    }

    @Test
    void aWindowThatEndsWithoutTheFlusherIsClosedByTheNextDecision() {
        try (PolicyStore store = open(Duration.ofSeconds(1))) {
            store.decide(publish);
            store.decide(publish);
            store.decide(publish);
            clock.advance(Duration.ofMillis(1500));
            store.decide(publish);
            assertThat(audit.records).extracting(AuditRecord::decisions).containsExactly(1L, 2L, 1L);
        }
    }

    @Test
    void closingWritesPendingRepeats() {
        try (PolicyStore store = open(Duration.ofMinutes(5))) {
            for (int i = 0; i < 10; i++) {
                store.decide(publish);
            }
        }
        assertThat(audit.records.stream().mapToLong(AuditRecord::decisions).sum()).isEqualTo(10);
        assertThat(audit.records).hasSize(2);
    }

    @Test
    void aRulesRefusalIsCountedApartFromThePoliciesAnswerToTheSameQuestion() {
        try (PolicyStore store = open(Duration.ofMinutes(5))) {
            for (int i = 0; i < 3; i++) {
                assertThat(store.refuseByRule(publish, "host-rule", "refused by the host").allowed()).isFalse();
                // The same question asked of the policies is not served the rule's kept refusal, nor the reverse.
                assertThat(store.decide(publish).allowed()).isTrue();
            }
        }
        assertThat(audit.records).filteredOn(r -> !r.allowed()).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo("refused by the host");
            assertThat(r.policy()).isNull();
        }).extracting(AuditRecord::decisions).containsExactly(1L, 2L);
        assertThat(audit.records).filteredOn(AuditRecord::allowed).extracting(AuditRecord::decisions).containsExactly(1L, 2L);
    }

    @Test
    void withoutAWindowEveryDecisionIsWrittenInFullButRangerIsAskedOnce() {
        try (PolicyStore store = open(Duration.ZERO)) {
            for (int i = 0; i < 5; i++) {
                store.decide(publish);
            }
            assertThat(audit.records).hasSize(5).allSatisfy(r -> assertThat(r.summary()).isNull());
            assertThat(store.keptDecisions()).isEqualTo(1);
        }
    }

    @Test
    void aPolicyChangeForgetsKeptDecisionsAndWritesTheirRepeats() throws Exception {
        try (PolicyStore store = open(Duration.ofMinutes(5))) {
            assertThat(store.decide(publish).allowed()).isTrue();
            store.decide(publish);
            ServicePolicies sp = PolicyFiles.readRaw(file);
            sp.setPolicies(new ArrayList<>(sp.getPolicies().stream().filter(p -> !p.getName().startsWith("ingest-")).toList()));
            PolicyFiles.write(file, sp);
            assertThat(store.reload()).isTrue();
            // The repeat counted under the old policies is on record before any new decision.
            assertThat(audit.records).extracting(AuditRecord::decisions).containsExactly(1L, 1L);
            assertThat(audit.records.get(1).summary()).isNotNull();
            AccessDecision after = store.decide(publish);
            assertThat(after.allowed()).as("revoked at once, not served from the kept answer").isFalse();
        }
    }

    @Test
    void answersAreNotKeptWhenAPolicyHasConditions() throws Exception {
        ServicePolicies sp = PolicyFiles.readRaw(file);
        RangerPolicy first = sp.getPolicies().get(0);
        first.getPolicyItems().get(0).setConditions(List.of(
                new RangerPolicy.RangerPolicyItemCondition("ip-range", List.of("10.*"))));
        PolicyFiles.write(file, sp);
        try (PolicyStore store = open(Duration.ofSeconds(1))) {
            store.decide(publish);
            store.decide(publish);
            assertThat(store.keptDecisions()).isZero();
            assertThat(audit.records).hasSize(2).allSatisfy(r -> assertThat(r.summary()).isNull());
        }
    }

    @Test
    void aDecisionThatCannotBeAuditedIsRefusedAndOpensNoWindow() {
        try (PolicyStore store = open(Duration.ofSeconds(1))) {
            assertThat(store.decide(publish).allowed()).isTrue();
            clock.advance(Duration.ofSeconds(2));
            audit.failing = true;
            AccessDecision d = store.decide(publish);
            assertThat(d.allowed()).isFalse();
            assertThat(d.reason()).contains("could not be audited").contains("disk full");
            // Still refused while the sink fails: no repeat is counted into a window that was never opened.
            assertThat(store.decide(publish).allowed()).isFalse();
            audit.failing = false;
            assertThat(store.decide(publish).allowed()).isTrue();
        }
    }

    @Test
    void aSummaryTheSinkRefusesIsWrittenLaterAndRepeatsAreNotCountedMeanwhile() {
        try (PolicyStore store = open(Duration.ofSeconds(1))) {
            for (int i = 0; i < 10; i++) {
                store.decide(publish);
            }
            clock.advance(Duration.ofSeconds(2));
            audit.failing = true;
            store.closeEndedWindows(); // the summary of 9 repeats cannot be written
            assertThat(audit.records).hasSize(1);
            // Meanwhile nothing is counted on trust: a decision needs its own record, and is refused without one.
            assertThat(store.decide(publish).allowed()).isFalse();
            audit.failing = false;
            store.closeEndedWindows();
            assertThat(audit.records).hasSize(2);
            assertThat(audit.records.get(1).summary().count()).isEqualTo(9);
            assertThat(store.decide(publish).allowed()).isTrue();
        }
    }

    @Test
    void aSecondOpenKeepsTheWindowAlreadyCountingRepeats() {
        AuditRecord first = new AuditRecord(Instant.EPOCH, "dev", "kafka", "dev_kafka", "u", List.of(), null, "topic=t",
                "publish", AuditRecord.Result.ALLOWED, null, "r", "1");
        RepeatedDecisions.Entry e = new RepeatedDecisions.Entry(AccessDecision.allowed(null, "r"), 0);
        e.open(first, 0);
        assertThat(e.repeat(10, 1000)).isTrue();
        // A slower caller that wrote its own full record opens too: the counted repeat must not vanish.
        e.open(first, 5);
        assertThat(e.repeat(20, 1000)).isTrue();
        AuditRecord summary = e.close();
        assertThat(summary.summary().count()).isEqualTo(2);
        assertThat(summary.time()).isEqualTo(Instant.ofEpochMilli(10));
    }

    /** Property: with callers, the window thread and policy reloads racing, every decision is on record, once. */
    @Test
    void underConcurrencyEveryDecisionIsAccountedForExactlyOnce() throws Exception {
        int threads = 4;
        int perThread = 40_000;
        java.util.concurrent.atomic.LongAdder decided = new java.util.concurrent.atomic.LongAdder();
        try (PolicyStore store = PolicyStore.open(PolicyStore.Config.of(dev, RangerServiceType.KAFKA, root, audit)
                .withWatch(false).withAuditSummaryWindow(Duration.ofMillis(2)))) {
            List<Thread> workers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.decide(i % 3 == 0 ? strangerPublish : publish);
                        decided.increment();
                    }
                });
                workers.add(w);
                w.start();
            }
            ServicePolicies sp = PolicyFiles.readRaw(file);
            int reloads = 0;
            for (int r = 0; r < 5; r++) {
                sp.setPolicyVersion(sp.getPolicyVersion() + 1);
                PolicyFiles.write(file, sp);
                reloads += store.reload() ? 1 : 0;
            }
            assertThat(reloads).as("policies swapped while deciding").isPositive();
            for (Thread w : workers) {
                w.join();
            }
        }
        assertThat(decided.sum()).isEqualTo((long) threads * perThread);
        assertThat(audit.records.stream().mapToLong(AuditRecord::decisions).sum()).isEqualTo(decided.sum());
        assertThat(audit.records.size()).as("summaries, not one record per decision").isLessThan(threads * perThread / 10);
    }

    static final class Capture implements AuditSink {
        final List<AuditRecord> records = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public void write(AuditRecord record) {
            if (failing) {
                throw new AuditSinkException("disk full", null);
            }
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
