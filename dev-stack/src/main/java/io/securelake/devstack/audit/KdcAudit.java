package io.securelake.devstack.audit;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.audit.SummaryWindow;
import io.securelake.devstack.kdc.KdcExchange;
import io.securelake.devstack.kdc.KdcExchangeListener;
import io.securelake.envs.Environment;
import io.securelake.envs.Principals;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The KDC's decisions in the audit trail, stage {@value #STAGE}: every login (ticket-granting ticket, action
 * {@value #LOGIN}) and every service ticket ({@value #SERVICE_TICKET}), granted or refused, with the Kerberos
 * reason for a refusal (wrong password or key, unknown principal, …). Every client of every stage
 * authenticates here, so this is where a failed authentication to Kafka, HDFS, the KMS or the query server
 * shows up.
 * <p>
 * Failed logins are summarised, so a flood cannot fill the trail: the first refusal of a (source address,
 * reason) pair in a {@link #FAILED_LOGIN_WINDOW} is written in full at once, and the refusals after it in
 * that window become one summary record ({@link SummaryWindow}, the mechanism of repeated policy decisions:
 * count, first and last time). The window is not keyed by the user name, which the requester chooses: a
 * flood with a new name each time would escape it. The summary bounds those names instead: how many
 * distinct ones (counted up to {@value #TRACKED_NAMES}) and a few examples, cut short.
 */
public final class KdcAudit implements KdcExchangeListener, AutoCloseable {
    public static final String STAGE = "kdc";
    public static final String LOGIN = "authenticate";
    public static final String SERVICE_TICKET = "service-ticket";

    /** Failed logins from one source for one reason within this window are one full record and one summary. */
    public static final Duration FAILED_LOGIN_WINDOW = Duration.ofSeconds(1);
    /** Sources summarised at once; beyond, failures are written in full (as repeated decisions beyond the cache). */
    static final int MAX_SOURCES = 1_000;
    /** Distinct user names counted per window (beyond: "more than"); they are kept cut to {@value #NAME_CHARS}. */
    static final int TRACKED_NAMES = 256;
    static final int NAME_CHARS = 64;
    /** Examples of names a summary shows, each cut to {@value #EXAMPLE_CHARS} characters. */
    static final int EXAMPLES = 3;
    static final int EXAMPLE_CHARS = 32;
    private static final Duration IDLE = Duration.ofMinutes(10);

    private final Environment env;
    private final AuditSink sink;
    private final Consumer<String> log;
    private final Clock clock;
    private final long windowMillis;
    private final Map<FailureSource, FailedLogins> failures = new ConcurrentHashMap<>();
    private final ScheduledExecutorService closer;

    /** What a failed-login window is keyed by: neither part is free text of the requester's choosing. */
    private record FailureSource(String address, String reason) {
    }

    KdcAudit(Environment env, AuditSink sink, Consumer<String> log, Clock clock, Duration window, boolean closeOnTime) {
        this.env = Objects.requireNonNull(env, "env");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.log = Objects.requireNonNull(log, "log");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.windowMillis = window.toMillis();
        if (closeOnTime && windowMillis > 0) {
            // Writes a window's summary when it ends even if no further failure comes to close it.
            closer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "kdc-audit-summary-" + env.name());
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(100, windowMillis / 2);
            closer.scheduleWithFixedDelay(this::closeEndedWindows, period, period, TimeUnit.MILLISECONDS);
        } else {
            closer = null;
        }
    }

    /** Writes to {@code <auditRoot>/kdc/} (the local trail, shipped to HDFS like every stage). */
    public static KdcAudit open(Environment env, Path auditRoot, Consumer<String> log) {
        return new KdcAudit(env, new BatchingAuditSink(JsonLinesAuditSink.firstFree(auditRoot, STAGE), 16_384,
                Duration.ofMillis(200), Duration.ofSeconds(30)), log, Clock.systemUTC(), FAILED_LOGIN_WINDOW, true);
    }

    @Override
    public void onExchange(KdcExchange e) {
        AuditRecord record = toRecord(e);
        if (e.granted() || e.kind() != KdcExchange.Kind.AS || windowMillis == 0) {
            write(record);
            return;
        }
        long now = e.time().toEpochMilli();
        FailureSource source = new FailureSource(String.valueOf(e.clientAddress()), record.reason());
        FailedLogins window = failures.get(source);
        if (window != null) {
            if (window.repeat(now, windowMillis, record.user(), record.resource())) {
                return;
            }
            write(window.close());
        }
        if (!write(record)) {
            return;
        }
        if (window == null && failures.size() < MAX_SOURCES) {
            FailedLogins fresh = new FailedLogins(now);
            window = failures.putIfAbsent(source, fresh);
            window = window == null ? fresh : window;
        }
        if (window != null) {
            window.open(record, now);
        }
    }

    /** Writes the summaries of ended windows and forgets sources idle for long; runs on its own thread too. */
    void closeEndedWindows() {
        long now = clock.millis();
        for (Map.Entry<FailureSource, FailedLogins> f : failures.entrySet()) {
            FailedLogins window = f.getValue();
            if (window.windowEnded(now, windowMillis)) {
                write(window.close());
            } else if (window.idleSince(now - IDLE.toMillis()) && failures.remove(f.getKey(), window)) {
                write(window.retire());
            }
        }
    }

    /** Writes one record (nothing for null); false if the sink refused it, which is reported in the log. */
    private boolean write(AuditRecord r) {
        if (r == null) {
            return true;
        }
        try {
            sink.write(r);
            return true;
        } catch (RuntimeException failure) {
            // The KDC must answer regardless; the failure itself is reported where the operator looks.
            log.accept("audit: cannot record the KDC's " + (r.allowed() ? "grant" : "refusal") + " for "
                    + r.user() + (r.summary() == null ? "" : " (summary of " + r.summary().count() + ")") + ": "
                    + failure.getMessage());
            return false;
        }
    }

    /**
     * One source's failed logins for one reason. Its summary stands for refusals that share everything with
     * the opening record but the user name (and time): names are counted and exemplified, never all kept.
     */
    private static final class FailedLogins extends SummaryWindow {
        private final Set<String> names = new HashSet<>();
        private final List<String> examples = new ArrayList<>();
        private boolean moreNames;
        private final Set<String> resources = new HashSet<>();

        FailedLogins(long now) {
            super(now);
        }

        synchronized boolean repeat(long now, long windowMillis, String user, String resource) {
            if (!repeat(now, windowMillis)) {
                return false;
            }
            if (resources.size() < 2) {
                resources.add(resource); // the service asked for is the requester's too: only "one or several" is kept
            }
            String kept = user.length() > NAME_CHARS ? user.substring(0, NAME_CHARS) : user;
            if (names.size() < TRACKED_NAMES) {
                if (names.add(kept) && examples.size() < EXAMPLES) {
                    examples.add(user.length() > EXAMPLE_CHARS ? user.substring(0, EXAMPLE_CHARS) + "…" : user);
                }
            } else if (!names.contains(kept)) {
                moreNames = true;
            }
            return true;
        }

        @Override
        protected AuditRecord summarize(AuditRecord s) {
            String user = names.size() == 1 && !moreNames ? names.iterator().next()
                    : "(" + (moreNames ? "more than " : "") + names.size() + " names)";
            String reason = s.reason() + "; " + s.summary().count() + " refusals from " + s.clientAddress() + " for "
                    + (moreNames ? "more than " : "") + names.size() + " distinct user name(s), chosen by the requester,"
                    + " e.g. " + String.join(", ", examples.stream().map(n -> "'" + n + "'").toList());
            String resource = resources.size() == 1 && resources.contains(s.resource()) ? s.resource()
                    : "principal=(several)";
            names.clear();
            examples.clear();
            moreNames = false;
            resources.clear();
            return new AuditRecord(s.time(), s.environment(), s.stage(), s.service(), user, s.groups(), s.clientAddress(),
                    resource, s.action(), s.result(), s.policy(), reason, s.requestId(), s.summary());
        }
    }

    AuditRecord toRecord(KdcExchange e) {
        boolean login = e.kind() == KdcExchange.Kind.AS;
        String reason;
        if (!e.granted()) {
            reason = (login ? "login refused by the KDC: " : "service ticket refused by the KDC: ") + e.error();
        } else if (!login) {
            reason = "service ticket issued by the KDC of " + env.realm();
        } else if (e.preauthenticated()) {
            reason = "logged in: key proven (pre-authentication), ticket-granting ticket issued by the KDC of "
                    + env.realm();
        } else {
            // e.g. MIT kinit's first request: the KDC cannot tell a right password from a wrong one here
            reason = "ticket-granting ticket issued without pre-authentication: usable only with the principal's key "
                    + "(a wrong password fails on the client, unseen by the KDC)";
        }
        return new AuditRecord(e.time(), env.name(), STAGE, env.name() + "_" + STAGE, principal(e.client()), List.of(),
                e.clientAddress(), "principal=" + (e.service() == null ? "unknown" : withoutRealm(e.service())),
                login ? LOGIN : SERVICE_TICKET, e.granted() ? AuditRecord.Result.ALLOWED : AuditRecord.Result.DENIED,
                null, reason, null);
    }

    /** {@code name[/host]} of a principal of this realm; a foreign realm stays visible. */
    private String principal(String qualified) {
        return qualified == null ? "unknown" : withoutRealm(qualified);
    }

    private String withoutRealm(String qualified) {
        return Principals.withoutRealm(qualified, env.realm());
    }

    @Override
    public void close() {
        if (closer != null) {
            closer.shutdownNow();
        }
        // Counts never vanish: every open window's repeats are written before the trail closes.
        for (FailedLogins window : failures.values()) {
            write(window.retire());
        }
        failures.clear();
        sink.close();
    }
}
