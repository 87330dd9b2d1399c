package io.securelake.policies.engine;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.SummaryWindow;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.ranger.plugin.model.RangerPolicy;

/**
 * The decisions already taken under the policies in force, and the audit of their repeats.
 * <p>
 * <b>Decisions.</b> Services ask the same question over and over (a producer's every request is "may
 * svc-ingest-dev publish to dev.raw.payments?"). When no policy in force has a condition or a validity
 * schedule, Ranger's answer depends on nothing but the question (user, groups, resource, access type,
 * client address), so it is kept until the policies change. A change of policies starts a new, empty
 * generation; questions Ranger's answer could depend on something else for are never kept.
 * <p>
 * <b>Audit.</b> The first time a question is decided in a summary window its full record is written, as
 * every decision's was. Identical decisions after it within the window are counted, and one record
 * stands for them when the window closes ({@link SummaryWindow}, {@link AuditRecord.Summary}: how many,
 * from when to when), as Ranger's own audit summarisation does for busy services. A window of zero writes every decision
 * in full. Counts never vanish: a window's repeats are written when it closes, when policies change,
 * when an idle question is forgotten and when the store closes; a repeat that races any of these is
 * refused here and its caller writes a full record instead.
 */
final class RepeatedDecisions {
    /** Questions unused for this long are forgotten (their counts written first). */
    static final Duration IDLE = Duration.ofMinutes(10);

    /** {@link Question#decidedBy} of the answers Ranger's engine gives from the policies. */
    static final String POLICIES = "";

    /**
     * A question, without what does not change the answer (request id, time). {@code decidedBy} is
     * {@link #POLICIES} or the name of a host rule that refuses whatever the policies say, so a rule's
     * refusal is never handed out as the policies' answer, nor the other way round.
     */
    record Question(String user, Set<String> groups, Map<String, String> resource, String accessType,
                    String clientAddress, String decidedBy) {
        static Question of(AccessRequest r, String decidedBy) {
            return new Question(r.user(), r.groups(), r.resource(), r.accessType(), r.clientAddress(), decidedBy);
        }
    }

    /** One kept decision and its current summary window. */
    static final class Entry extends SummaryWindow {
        final AccessDecision decision;

        Entry(AccessDecision decision, long now) {
            super(now);
            this.decision = decision;
        }
    }

    /**
     * The answers kept for one set of policies. A decision is stored only into the generation that was
     * current before the engine was asked, so an answer of replaced policies never survives the swap.
     */
    static final class Generation {
        final ConcurrentHashMap<Question, Entry> entries = new ConcurrentHashMap<>();
        final boolean cacheable;

        Generation(boolean cacheable) {
            this.cacheable = cacheable;
        }
    }

    private final long windowMillis;
    private final int maxEntries;
    private final Clock clock;
    private final Consumer<AuditRecord> writeSummary;
    private volatile Generation current = new Generation(false);

    /**
     * @param window       summary window; zero writes every decision in full
     * @param maxEntries   questions kept at most; beyond, decisions are taken afresh
     * @param writeSummary writes one summary record (must not throw; it reports its own failures)
     */
    RepeatedDecisions(Duration window, int maxEntries, Clock clock, Consumer<AuditRecord> writeSummary) {
        this.windowMillis = window.toMillis();
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.writeSummary = writeSummary;
    }

    long windowMillis() {
        return windowMillis;
    }

    long now() {
        return clock.millis();
    }

    /** Whether answers may be kept for these policies: none of them depends on anything but the question. */
    static boolean answersDependOnlyOnTheQuestion(Collection<RangerPolicy> policies) {
        for (RangerPolicy p : policies) {
            if (!p.getIsEnabled()) {
                continue;
            }
            if (notEmpty(p.getConditions()) || notEmpty(p.getValiditySchedules())) {
                return false;
            }
            for (List<? extends RangerPolicy.RangerPolicyItem> items : List.of(p.getPolicyItems(), p.getDenyPolicyItems(),
                    p.getAllowExceptions(), p.getDenyExceptions())) {
                if (items != null) {
                    for (RangerPolicy.RangerPolicyItem item : items) {
                        if (notEmpty(item.getConditions())) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    private static boolean notEmpty(Collection<?> c) {
        return c != null && !c.isEmpty();
    }

    /** The generation in force; take it before asking the engine, and hand it to {@link #remember}. */
    Generation generation() {
        return current;
    }

    /** The kept decision for this question, or null. */
    Entry find(Generation g, Question q) {
        return g.cacheable ? g.entries.get(q) : null;
    }

    /**
     * Keeps a decision taken with the engine of generation {@code g} and written in full as {@code record},
     * unless the policies forbid keeping, the cache is full, or the policies changed since {@code g}.
     */
    void remember(Generation g, Question q, AccessDecision decision, AuditRecord record, long now) {
        if (!g.cacheable || g != current || g.entries.size() >= maxEntries) {
            return;
        }
        Entry e = new Entry(decision, now);
        e.open(record, now);
        if (g.entries.putIfAbsent(q, e) != null) {
            return; // another thread kept the same answer first
        }
        if (g != current) {
            // The policies changed while storing: the generation is being retired; make sure this one is too.
            g.entries.remove(q, e);
            AuditRecord s = e.retire();
            if (s != null) {
                writeSummary.accept(s);
            }
        }
    }

    /** The policies in force changed: forget every answer, writing their windows' repeats first. */
    void newPolicies(Collection<RangerPolicy> policies) {
        Generation old = current;
        current = new Generation(answersDependOnlyOnTheQuestion(policies));
        retireAll(old);
    }

    /** Writes ended windows' repeats and forgets idle questions; the store calls it periodically. */
    void closeEndedWindows() {
        long now = clock.millis();
        long idleCutoff = now - IDLE.toMillis();
        ConcurrentHashMap<Question, Entry> map = current.entries;
        List<AuditRecord> summaries = new ArrayList<>();
        for (Map.Entry<Question, Entry> me : map.entrySet()) {
            Entry e = me.getValue();
            if (e.windowEnded(now, windowMillis)) {
                AuditRecord s = e.close();
                if (s != null) {
                    summaries.add(s);
                }
            } else if (e.idleSince(idleCutoff) && map.remove(me.getKey(), e)) {
                AuditRecord s = e.retire();
                if (s != null) {
                    summaries.add(s);
                }
            }
        }
        summaries.forEach(writeSummary);
    }

    /** Writes every pending repeat and forgets everything (the store is closing). */
    void closeAll() {
        Generation old = current;
        current = new Generation(false);
        retireAll(old);
    }

    private void retireAll(Generation g) {
        for (Entry e : g.entries.values()) {
            AuditRecord s = e.retire();
            if (s != null) {
                writeSummary.accept(s);
            }
        }
    }

    int size() {
        return current.entries.size();
    }
}
