package io.securelake.warehouse.authz;

import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.api.GroupResolver;
import io.securelake.policies.api.Policies;
import io.securelake.policies.api.PolicyDecider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the extension needs at rule time: Ranger's engine over the environment's hive policies (live
 * reloaded by the policy engine), the environment's groups and the local audit trail
 * {@code <spark.securelake.audit.dir>/hive}.
 * <p>One runtime per {@link SparkContext}, held in a small registry rather than in the extension
 * instance: Spark instantiates the extension once per root session it builds (a Thrift server, a job
 * calling {@code SparkSession.builder().getOrCreate()} after clearing the default session…), and each
 * instance owning a policy engine would open another watch thread and another audit chain for the same
 * application. The registry is weak on the context, and the runtime is closed (audit drained) when the
 * application ends or, failing that, when the JVM shuts down.
 * <p>A runtime that cannot be built (configuration missing, environment or policy file unreadable,
 * audit directory unusable) is kept as a failure: every statement is then refused with its reason;
 * nothing is ever allowed without policies. Failures other than missing configuration are retried
 * after {@link #RETRY_AFTER}, so a policy file fixed on disk brings the server back without a restart.
 */
final class AuthzRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthzRuntime.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);
    private static final Map<SparkContext, AuthzRuntime> BY_CONTEXT = new WeakHashMap<>();

    private final PolicyDecider store;
    private final GroupResolver groups;
    private final java.util.Set<String> people;
    private final AuditSink audit;
    private final String failure;
    private final boolean retryable;
    private final long createdNanos = System.nanoTime();
    private final DecisionCache decisions = new DecisionCache(4096, Duration.ofSeconds(60));
    private volatile boolean closed;

    private AuthzRuntime(PolicyDecider store, GroupResolver groups, java.util.Set<String> people, AuditSink audit) {
        this.store = store;
        this.groups = groups;
        this.people = java.util.Set.copyOf(people);
        this.audit = audit;
        this.failure = null;
        this.retryable = false;
    }

    private AuthzRuntime(String failure, boolean retryable) {
        this.store = null;
        this.groups = null;
        this.people = java.util.Set.of();
        this.audit = null;
        this.failure = failure;
        this.retryable = retryable;
    }

    /** A runtime that refuses everything, for tests of the fail-closed path. */
    static AuthzRuntime failed(String reason) {
        return new AuthzRuntime(reason, false);
    }

    static AuthzRuntime of(SparkContext sc) {
        synchronized (BY_CONTEXT) {
            AuthzRuntime rt = BY_CONTEXT.get(sc);
            if (rt != null && rt.closed) {
                return failed("securelake authorization has shut down with the application; every statement is refused");
            }
            boolean retry = rt != null && rt.failure != null && rt.retryable
                    && System.nanoTime() - rt.createdNanos > RETRY_AFTER.toNanos();
            if (rt == null || retry) {
                rt = create(sc);
                BY_CONTEXT.put(sc, rt);
            }
            return rt;
        }
    }

    private static AuthzRuntime create(SparkContext sc) {
        AuthzSettings settings;
        try {
            settings = AuthzSettings.from(sc.getConf());
        } catch (RuntimeException e) {
            String reason = "securelake authorization is not configured (" + e.getMessage()
                    + "); every statement is refused";
            LOG.error(reason);
            return new AuthzRuntime(reason, false);
        }
        AuditSink sink = null;
        try {
            Environment env = EnvironmentCatalog.of(settings.envsDir()).load(settings.environment());
            // firstFree: two JVMs (or two SparkContexts) never write one hash chain: the second gets hive-2.
            JsonLinesAuditSink trail = JsonLinesAuditSink.firstFree(settings.auditDir().toAbsolutePath(),
                    AuthzSettings.AUDIT_STAGE);
            sink = new BatchingAuditSink(trail, 65_536, Duration.ofMillis(200), Duration.ofSeconds(30));
            PolicyDecider store = Policies.open(env, RangerServiceType.HIVE, settings.policiesDir(), sink,
                    LOG::info);
            AuthzRuntime rt = new AuthzRuntime(store, Policies.groupsOf(env), env.people().stream()
                    .map(io.securelake.envs.Person::name).collect(java.util.stream.Collectors.toSet()), sink);
            sc.addSparkListener(new SparkListener() {
                @Override
                public void onApplicationEnd(SparkListenerApplicationEnd end) {
                    rt.close();
                }
            });
            Runtime.getRuntime().addShutdownHook(new Thread(rt::close, "securelake-authz-close"));
            LOG.info("securelake authorization: environment {}, policies {} v{}, audit {}", env.name(),
                    store.serviceName(), store.policyVersion(), trail.directory());
            return rt;
        } catch (RuntimeException e) {
            if (sink != null) {
                try {
                    sink.close();
                } catch (RuntimeException ignored) {
                    // the failure below is what matters
                }
            }
            String reason = "securelake authorization cannot start (" + e.getMessage() + "); every statement is refused";
            LOG.error(reason, e);
            return new AuthzRuntime(reason, true);
        }
    }

    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    PolicyDecider store() {
        return store;
    }

    java.util.Set<String> groupsOf(String user) {
        return groups.groupsOf(user);
    }

    /** A person of the environment (not a service principal). */
    boolean isPerson(String user) {
        return people.contains(user);
    }

    long policyVersion() {
        return store.policyVersion();
    }

    /**
     * Decides and audits, once per distinct question of one statement: the same statement asks again
     * for the same column when Spark analyses a view's body and then the whole plan, or a command's
     * query twice; one audit record per decision is enough. Keyed by request id and policy version,
     * so a policy change is decided afresh.
     */
    AccessDecision decide(AccessRequest request) {
        if (request.requestId().isEmpty()) {
            return store.decide(request);
        }
        String key = request.requestId() + '\u0000' + store.policyVersion() + '\u0000' + request.user() + '\u0000'
                + request.accessType() + '\u0000' + request.resourceString();
        AccessDecision cached = decisions.get(key);
        if (cached != null) {
            return cached;
        }
        AccessDecision d = store.decide(request);
        decisions.put(key, d);
        return d;
    }

    /** Makes every decision recorded so far durable in the trail. */
    void flushAudit() {
        if (audit != null) {
            audit.flush();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (store != null) {
            try {
                store.close();
            } finally {
                audit.close();
            }
        }
    }

    /** A small LRU with expiry; decisions are tiny and only shared within one statement. */
    private static final class DecisionCache {
        private final int capacity;
        private final long ttlNanos;
        private final LinkedHashMap<String, Object[]> map;

        DecisionCache(int capacity, Duration ttl) {
            this.capacity = capacity;
            this.ttlNanos = ttl.toNanos();
            this.map = new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Object[]> eldest) {
                    return size() > DecisionCache.this.capacity;
                }
            };
        }

        synchronized AccessDecision get(String key) {
            Object[] e = map.get(key);
            if (e == null) {
                return null;
            }
            if (System.nanoTime() - (long) e[1] > ttlNanos) {
                map.remove(key);
                return null;
            }
            return (AccessDecision) e[0];
        }

        synchronized void put(String key, AccessDecision d) {
            map.put(key, new Object[] {d, System.nanoTime()});
        }
    }
}
