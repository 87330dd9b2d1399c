package io.securelake.policies.engine;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.api.MaskDecision;
import io.securelake.policies.api.PolicyDecider;
import io.securelake.policies.api.RowFilterDecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.ranger.plugin.model.RangerServiceDef;
import org.apache.ranger.plugin.policyengine.RangerAccessResult;
import org.apache.ranger.plugin.util.ServicePolicies;

/**
 * The policies of one Ranger service of one environment, read from the committed file, enforced by
 * {@link RangerEngine} and kept current: a {@link WatchService} on the environment's policy directory
 * reloads the file as soon as it changes (no restart, no polling interval) and swaps the engine. A file
 * that cannot be read keeps the previous policies in force and is reported through {@link #lastError()}
 * and the log. Every decision, allowed or denied, including on resources no policy mentions, is written
 * to the audit sink; if the sink refuses the record, the request is denied (no unaudited access).
 */
public final class PolicyStore implements PolicyDecider {

    /**
     * @param superUsers short names allowed everything without consulting policies (e.g. the broker's
     *                   own principal); still audited
     * @param log        receives reload and error lines
     */
    public record Config(Environment environment, RangerServiceType type, Path policiesRoot, AuditSink audit,
                         Set<String> superUsers, boolean watch, Clock clock, Consumer<String> log,
                         Duration auditSummaryWindow, int decisionCacheSize) {
        /** Decisions kept per store by default; a broker or NameNode asks far fewer distinct questions. */
        public static final int DEFAULT_DECISION_CACHE_SIZE = 65_536;

        public Config {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(policiesRoot, "policiesRoot");
            Objects.requireNonNull(audit, "audit");
            superUsers = Set.copyOf(superUsers);
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(log, "log");
            if (auditSummaryWindow.isNegative()) {
                throw new IllegalArgumentException("audit summary window must not be negative: " + auditSummaryWindow);
            }
            if (decisionCacheSize < 0) {
                throw new IllegalArgumentException("decision cache size must not be negative: " + decisionCacheSize);
            }
        }

        /** Every decision written in full, decisions kept (cache of {@value #DEFAULT_DECISION_CACHE_SIZE}). */
        public static Config of(Environment env, RangerServiceType type, Path policiesRoot, AuditSink audit) {
            return new Config(env, type, policiesRoot, audit, Set.of(), true, Clock.systemUTC(), s -> { },
                    Duration.ZERO, DEFAULT_DECISION_CACHE_SIZE);
        }

        public Config withSuperUsers(Set<String> users) {
            return new Config(environment, type, policiesRoot, audit, users, watch, clock, log, auditSummaryWindow, decisionCacheSize);
        }

        public Config withWatch(boolean w) {
            return new Config(environment, type, policiesRoot, audit, superUsers, w, clock, log, auditSummaryWindow, decisionCacheSize);
        }

        public Config withLog(Consumer<String> l) {
            return new Config(environment, type, policiesRoot, audit, superUsers, watch, clock, l, auditSummaryWindow, decisionCacheSize);
        }

        public Config withClock(Clock c) {
            return new Config(environment, type, policiesRoot, audit, superUsers, watch, c, log, auditSummaryWindow, decisionCacheSize);
        }

        /**
         * Identical decisions within this window after the first are written as one summary record
         * ({@link AuditRecord.Summary}); zero (the default) writes every decision in full.
         */
        public Config withAuditSummaryWindow(Duration window) {
            return new Config(environment, type, policiesRoot, audit, superUsers, watch, clock, log, window, decisionCacheSize);
        }

        /** How many distinct questions' answers are kept; zero keeps none (every decision asks Ranger). */
        public Config withDecisionCacheSize(int size) {
            return new Config(environment, type, policiesRoot, audit, superUsers, watch, clock, log, auditSummaryWindow, size);
        }
    }

    /** One reload: the version now in force, when it took effect, and the error if the file was refused. */
    public record Reload(long version, Instant at, Optional<String> error) {
    }

    private final Config config;
    private final String serviceName;
    private final Path file;
    private final RangerEngine engine;
    private final LocalPolicySource source;
    private final WatchService watcher;
    private final Thread watchThread;
    private final List<Consumer<Reload>> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition reloaded = lock.newCondition();
    private volatile long version;
    private volatile List<org.apache.ranger.plugin.model.RangerPolicy> current = List.of();
    private volatile String lastError = "";
    private volatile boolean closed;
    private final RepeatedDecisions repeated;
    private final java.util.concurrent.ScheduledExecutorService summaries;
    private final java.util.concurrent.ConcurrentLinkedQueue<AuditRecord> pendingSummaries =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private PolicyStore(Config config) {
        this.config = config;
        this.serviceName = config.environment().names().rangerService(config.type());
        this.file = PolicyFiles.file(config.policiesRoot(), config.environment(), config.type());
        this.engine = new RangerEngine(config.environment().name(), config.type(), serviceName);
        this.source = new LocalPolicySource(file, config.type());
        this.repeated = new RepeatedDecisions(config.auditSummaryWindow(), config.decisionCacheSize(), config.clock(),
                this::writeSummary);
        ServicePolicies first = source.getServicePoliciesIfUpdated(0, 0);
        checkService(first);
        engine.setPolicies(first);
        current = List.copyOf(first.getPolicies());
        repeated.newPolicies(current);
        version = first.getPolicyVersion();
        if (config.watch()) {
            try {
                watcher = FileSystems.getDefault().newWatchService();
                file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot watch policy directory " + file.getParent(), e);
            }
            watchThread = new Thread(this::watchLoop, "policy-watch-" + serviceName);
            watchThread.setDaemon(true);
            watchThread.start();
        } else {
            watcher = null;
            watchThread = null;
        }
        // Closes summary windows on time, retries summaries the sink refused, and forgets idle questions,
        // even when no request comes. Without a window only idle questions matter: once a minute.
        long window = config.auditSummaryWindow().toMillis();
        long period = window == 0 ? 60_000 : Math.max(100, Math.min(window / 2, 1_000));
        if (config.decisionCacheSize() > 0) {
            summaries = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "audit-summary-" + serviceName);
                t.setDaemon(true);
                return t;
            });
            summaries.scheduleWithFixedDelay(this::closeEndedWindows, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            summaries = null;
        }
        config.log().accept("policies: " + serviceName + " v" + version + " from " + file);
    }

    /** Loads the environment's policy file for the service and starts watching it. */
    public static PolicyStore open(Config config) {
        return new PolicyStore(config);
    }

    @Override
    public String environment() {
        return config.environment().name();
    }

    @Override
    public String serviceName() {
        return serviceName;
    }

    public Path file() {
        return file;
    }

    public RangerServiceDef serviceDef() {
        return engine.serviceDef();
    }

    @Override
    public long policyVersion() {
        return version;
    }

    /** Empty when the last reload succeeded; otherwise why the file was refused (old policies stay). */
    public String lastError() {
        return lastError;
    }

    /** The policies in force. */
    public List<org.apache.ranger.plugin.model.RangerPolicy> policies() {
        return current;
    }

    /** Every value the policies in force name for a resource key (e.g. all topic names and patterns). */
    public java.util.Set<String> resourceValues(String key) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (var p : current) {
            var r = p.getResources() == null ? null : p.getResources().get(key);
            if (p.getIsEnabled() && r != null && r.getValues() != null && !Boolean.TRUE.equals(r.getIsExcludes())) {
                out.addAll(r.getValues());
            }
        }
        return out;
    }

    public void addReloadListener(Consumer<Reload> listener) {
        listeners.add(listener);
    }

    /** Waits until policies newer than {@code version} are in force. @return false on timeout */
    @Override
    public boolean awaitVersionAbove(long v, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (version <= v) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = reloaded.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Re-reads the file now (the watcher calls this; tools and tests may too). @return true if policies changed */
    public boolean reload() {
        lock.lock();
        try {
            ServicePolicies next;
            try {
                next = source.getServicePoliciesIfUpdated(version, 0);
                if (next == null) {
                    return false;
                }
                checkService(next);
                engine.setPolicies(next);
                current = List.copyOf(next.getPolicies());
                repeated.newPolicies(current);
            } catch (RuntimeException e) {
                lastError = e.getMessage();
                config.log().accept("policies: " + serviceName + ": keeping v" + version + " in force, "
                        + e.getMessage());
                Reload r = new Reload(version, config.clock().instant(), Optional.of(e.getMessage()));
                listeners.forEach(l -> l.accept(r));
                return false;
            }
            version = next.getPolicyVersion();
            lastError = "";
            reloaded.signalAll();
            Reload r = new Reload(version, config.clock().instant(), Optional.empty());
            config.log().accept("policies: " + serviceName + " v" + version + " in force");
            listeners.forEach(l -> l.accept(r));
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void checkService(ServicePolicies sp) {
        if (!serviceName.equals(sp.getServiceName())) {
            throw new PolicyFileException(file, "declares service '" + sp.getServiceName() + "' but holds the policies of "
                    + serviceName + " (environment " + environment() + ")", null);
        }
    }

    private void watchLoop() {
        String name = file.getFileName().toString();
        while (!closed) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            boolean ours = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                Object ctx = event.context();
                if (event.kind() == StandardWatchEventKinds.OVERFLOW || (ctx != null && ctx.toString().equals(name))) {
                    ours = true;
                }
            }
            key.reset();
            if (ours && !closed) {
                reload();
            }
        }
    }

    // --- decisions ---------------------------------------------------------------------------------

    /**
     * Decides and audits. An answer Ranger gave before for the same question under the same policies is
     * reused (see {@link RepeatedDecisions}); with a summary window, its repeats are counted into one
     * summary record instead of one record each.
     */
    @Override
    public AccessDecision decide(AccessRequest request) {
        if (isSuperUser(request.user())) {
            return audited(request, AccessDecision.allowed(null, "super user"));
        }
        return decide(request, RepeatedDecisions.POLICIES, () -> toDecision(request, engine.access(request)));
    }

    /** Whether {@code user} is one of the host's super users (allowed everything, still audited). */
    public boolean isSuperUser(String user) {
        return config.superUsers().contains(user);
    }

    /**
     * Audits a refusal the host takes by a rule of its own, whatever the policies say (e.g. the Kafka
     * broker's configuration is never changed through the Kafka API), and returns it. Unlike
     * {@link #recordExternal} its repeats are counted into summaries as {@link #decide}'s are, so a client
     * that repeats a refused request cannot fill the trail; they are kept apart from the policies'
     * answers ({@code rule} is part of the question), and a super user is not exempted here: the caller
     * decides whom the rule spares.
     *
     * @param rule names the rule; the same rule must always give the same refusal for the same question
     */
    public AccessDecision refuseByRule(AccessRequest request, String rule, String reason) {
        if (rule.isEmpty()) {
            throw new IllegalArgumentException("a rule needs a name apart from the policies'");
        }
        AccessDecision refusal = AccessDecision.denied(null, reason);
        return decide(request, rule, () -> refusal);
    }

    private AccessDecision decide(AccessRequest request, String decidedBy, java.util.function.Supplier<AccessDecision> answer) {
        RepeatedDecisions.Question question = config.decisionCacheSize() > 0
                ? RepeatedDecisions.Question.of(request, decidedBy) : null;
        // Taken before the engine is asked: an answer is kept only for the policies it was given under.
        RepeatedDecisions.Generation generation = repeated.generation();
        RepeatedDecisions.Entry kept = question == null ? null : repeated.find(generation, question);
        if (kept != null) {
            long now = repeated.now();
            // While a summary waits for the sink, repeats are not counted: each is written (or refused) in full.
            if (pendingSummaries.isEmpty() && kept.repeat(now, repeated.windowMillis())) {
                return kept.decision;
            }
            AuditRecord summary = kept.close();
            if (summary != null) {
                writeSummary(summary);
            }
            AuditRecord record = record(request, kept.decision);
            String failure = write(record);
            if (failure != null) {
                return unaudited(request, kept.decision, failure);
            }
            kept.open(record, now);
            return kept.decision;
        }
        AccessDecision decision = answer.get();
        AuditRecord record = record(request, decision);
        String failure = write(record);
        if (failure != null) {
            return unaudited(request, decision, failure);
        }
        if (question != null) {
            repeated.remember(generation, question, decision, record, repeated.now());
        }
        return decision;
    }

    /** How many distinct questions' answers are kept now (for tests and status). */
    public int keptDecisions() {
        return repeated.size();
    }

    /** Writes ended summary windows now (the store's own thread does this periodically). */
    public void closeEndedWindows() {
        try {
            retryPendingSummaries();
            repeated.closeEndedWindows();
        } catch (RuntimeException e) {
            config.log().accept("audit: closing summary windows of " + serviceName + " failed: " + e);
        }
    }

    /**
     * Summaries stand for decisions already allowed: one the sink refuses is kept and written again later
     * (and meanwhile no repeat is counted), never dropped while the store runs.
     */
    private void writeSummary(AuditRecord summary) {
        if (!pendingSummaries.isEmpty() || write(summary) != null) {
            pendingSummaries.add(summary);
        }
    }

    private void retryPendingSummaries() {
        AuditRecord next;
        while ((next = pendingSummaries.peek()) != null) {
            if (write(next) != null) {
                return;
            }
            pendingSummaries.remove(next);
        }
    }

    /**
     * Audits a decision taken outside the policies by the host's own rules (e.g. the HDFS superuser,
     * or POSIX permissions where the fallback is enabled) and returns it.
     */
    @Override
    public AccessDecision recordExternal(AccessRequest request, AccessDecision decision) {
        return audited(request, decision);
    }

    /** Evaluates without writing an audit record: for the policy tester and dry runs only. */
    public AccessDecision evaluateUnaudited(AccessRequest request) {
        if (isSuperUser(request.user())) {
            return AccessDecision.allowed(null, "super user");
        }
        return toDecision(request, engine.access(request));
    }

    private AccessDecision toDecision(AccessRequest request, RangerAccessResult result) {
        String policy = result == null ? null : engine.policyLabel(result.getPolicyId());
        if (result != null && result.getIsAllowed()) {
            return AccessDecision.allowed(policy, "allowed by policy " + policy);
        }
        if (policy != null) {
            return AccessDecision.denied(policy, "denied by policy " + policy);
        }
        return AccessDecision.denied(null, "no policy of " + serviceName + " grants " + request.accessType()
                + " on " + request.resourceString() + " (denied by default)");
    }

    private AccessDecision audited(AccessRequest request, AccessDecision decision) {
        String failure = write(record(request, decision));
        return failure == null ? decision : unaudited(request, decision, failure);
    }

    private AuditRecord record(AccessRequest request, AccessDecision decision) {
        List<String> groups = new java.util.ArrayList<>(request.groups());
        java.util.Collections.sort(groups);
        return new AuditRecord(config.clock().instant(), environment(), config.type().serviceDefName(),
                serviceName, request.user(), groups, request.clientAddress(),
                request.resourceString(), request.accessType(),
                decision.allowed() ? AuditRecord.Result.ALLOWED : AuditRecord.Result.DENIED,
                decision.policy().orElse(null), decision.reason(), request.requestId());
    }

    /** @return null when written, otherwise why the sink refused it (also logged) */
    private String write(AuditRecord record) {
        try {
            config.audit().write(record);
            return null;
        } catch (RuntimeException e) {
            config.log().accept("audit: cannot record a decision for " + record.user() + " on "
                    + record.resource() + ": " + e.getMessage());
            return String.valueOf(e.getMessage());
        }
    }

    /** No unaudited access: a decision that could not be recorded stands only if it refuses (or is a super user's). */
    private AccessDecision unaudited(AccessRequest request, AccessDecision decision, String failure) {
        if (!decision.allowed() || isSuperUser(request.user())) {
            return decision;
        }
        return AccessDecision.denied(null, "the decision could not be audited (" + failure + ")");
    }

    @Override
    public MaskDecision mask(AccessRequest request) {
        RangerAccessResult r = engine.dataMask(request);
        if (r == null || !r.isMaskEnabled()) {
            return MaskDecision.none();
        }
        String expr = r.getMaskTypeDef() == null ? null : r.getMaskTypeDef().getTransformer();
        if ("CUSTOM".equals(r.getMaskType())) {
            expr = r.getMaskedValue();
        }
        return new MaskDecision(Optional.ofNullable(r.getMaskType()), Optional.ofNullable(expr),
                Optional.ofNullable(engine.policyLabel(r.getPolicyId())));
    }

    @Override
    public RowFilterDecision rowFilter(AccessRequest request) {
        RangerAccessResult r = engine.rowFilter(request);
        if (r == null || !r.isRowFilterEnabled()) {
            return RowFilterDecision.none();
        }
        return new RowFilterDecision(Optional.ofNullable(r.getFilterExpr()),
                Optional.ofNullable(engine.policyLabel(r.getPolicyId())));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (summaries != null) {
            // Let a running tick finish its writes (no interrupt: it would abort the sink's own waits).
            summaries.shutdown();
            try {
                summaries.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Pending repeats are written before the owner closes the audit sink.
        repeated.closeAll();
        retryPendingSummaries();
        for (AuditRecord lost : pendingSummaries) {
            config.log().accept("audit: " + lost.decisions() + " repeated decisions for " + lost.user() + " on "
                    + lost.resource() + " between " + lost.time() + " and " + lost.summary().last()
                    + " could not be recorded before the store closed");
        }
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // the watch thread ends on ClosedWatchServiceException either way
            }
        }
        engine.close();
    }
}
