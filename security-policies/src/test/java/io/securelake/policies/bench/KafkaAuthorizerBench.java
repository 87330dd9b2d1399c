package io.securelake.policies.bench;

import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceRole;
import io.securelake.policies.engine.EnvironmentGroups;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.PolicyStore;
import io.securelake.policies.kafka.KafkaRequests;
import io.securelake.policies.kafka.RangerKafkaAuthorizer;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.metadata.authorizer.StandardAcl;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.util.ServicePolicies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One Kafka authorization decision (a produce request's WRITE on a topic, 3 of 4 allowed) by Kafka's
 * StandardAuthorizer holding N literal ACLs versus the Ranger-backed authorizer holding N equivalent
 * policies, without audit and with the full audit path (batching writer into the hash-chained trail).
 * Run by hand (docs/BENCHMARKS.md); never part of mvn test.
 * <p>
 * A saturated loop measures the slower of the callers and the single audit writer: once the writer
 * falls behind, the bounded queue fills and callers wait on it (back-pressure), so throughput alone
 * cannot tell "audit is expensive" from "the writer had no free core". Each measurement iteration
 * therefore also prints a {@code [cpu]} line: CPU time per decision of the calling threads, of the
 * audit writer thread (render when behind, chain hash), of the audit I/O thread (write, fsync) and of
 * the whole process (GC and JIT included), and how much of the wall time the callers were on a CPU
 * (well under 100% means they were blocked on the queue or descheduled by other load).
 */
@State(Scope.Benchmark)
public class KafkaAuthorizerBench {

    @Param({"10", "1000", "10000"})
    public int policies;

    /**
     * standard: Kafka's StandardAuthorizer. ranger: the production authorizer (kept decisions, repeats
     * summarised over 1 s) with a sink that discards. ranger+audit: the same into the real trail.
     * ranger+audit-each: every decision written in full (no summary window). ranger-nocache: Ranger's
     * engine asked on every request, sink discards (the authorizer before decisions were kept).
     */
    @Param({"standard", "ranger", "ranger+audit", "ranger+audit-each", "ranger-nocache"})
    public String impl;

    private Authorizer authorizer;
    private PolicyStore store;
    private AuditSink audit;
    private Path tmp;
    private RequestContext[] contexts;
    private List<Action>[] actions;
    private final CpuAccounting cpu = new CpuAccounting();

    @Setup(Level.Trial)
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setUp() throws Exception {
        Environment dev = ShippedEnvironments.load("dev");
        String user = dev.names().servicePrincipal(ServiceRole.INGEST);
        String prefix = dev.names().topicPrefix() + "bench.";
        tmp = Files.createTempDirectory("kafka-authz-bench");
        if (impl.equals("standard")) {
            StandardAuthorizer std = new StandardAuthorizer();
            std.configure(Map.of(StandardAuthorizer.SUPER_USERS_CONFIG, "User:kafka"));
            // The broker hands its authorizer plugin metrics; StandardAuthorizer records every decision there.
            std.withPluginMetrics(new org.apache.kafka.common.metrics.internals.PluginMetricsImpl(
                    new org.apache.kafka.common.metrics.Metrics(), Map.of()));
            Map<Uuid, StandardAcl> acls = new HashMap<>();
            for (int i = 0; i < policies; i++) {
                acls.put(Uuid.randomUuid(), new StandardAcl(ResourceType.TOPIC, prefix + i, PatternType.LITERAL,
                        "User:" + user, "*", AclOperation.WRITE, AclPermissionType.ALLOW));
            }
            std.loadSnapshot(acls);
            std.completeInitialLoad();
            authorizer = std;
        } else {
            ServicePolicies sp = new ServicePolicies();
            sp.setServiceName(dev.names().rangerService(RangerServiceType.KAFKA));
            List<RangerPolicy> list = new ArrayList<>();
            for (int i = 0; i < policies; i++) {
                RangerPolicy p = new RangerPolicy();
                p.setId((long) i + 1);
                p.setName("bench-" + i);
                p.setService(sp.getServiceName());
                p.setResources(Map.of("topic", new RangerPolicy.RangerPolicyResource(prefix + i)));
                RangerPolicy.RangerPolicyItem item = new RangerPolicy.RangerPolicyItem();
                item.setUsers(List.of(user));
                item.setAccesses(List.of(new RangerPolicy.RangerPolicyItemAccess("publish", true)));
                p.setPolicyItems(List.of(item));
                list.add(p);
            }
            sp.setPolicies(list);
            PolicyFiles.write(PolicyFiles.file(tmp, dev, RangerServiceType.KAFKA), sp);
            boolean trail = impl.startsWith("ranger+audit");
            audit = !trail ? DISCARD : new BatchingAuditSink(new JsonLinesAuditSink(tmp.resolve("audit")),
                    65_536, java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(30));
            java.time.Duration window = impl.equals("ranger+audit-each") || impl.equals("ranger-nocache")
                    ? java.time.Duration.ZERO : java.time.Duration.ofMillis(RangerKafkaAuthorizer.DEFAULT_AUDIT_SUMMARY_WINDOW_MS);
            store = PolicyStore.open(PolicyStore.Config.of(dev, RangerServiceType.KAFKA, tmp, audit).withWatch(false)
                    .withSuperUsers(java.util.Set.of("kafka")).withAuditSummaryWindow(window)
                    .withDecisionCacheSize(impl.equals("ranger-nocache") ? 0 : PolicyStore.Config.DEFAULT_DECISION_CACHE_SIZE));
            authorizer = new RangerKafkaAuthorizer(store, new EnvironmentGroups(dev));
        }
        int n = 4096;
        contexts = new RequestContext[n];
        actions = new List[n];
        RequestContext allowed = KafkaRequests.context(user, ApiKeys.PRODUCE);
        RequestContext denied = KafkaRequests.context("mallory", ApiKeys.PRODUCE);
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < n; i++) {
            contexts[i] = i % 4 == 3 ? denied : allowed;
            actions[i] = List.of(KafkaRequests.action(AclOperation.WRITE, ResourceType.TOPIC, prefix + r.nextInt(policies)));
        }
    }

    /** Each benchmark thread walks the request table on its own (no shared counter between threads). */
    @State(Scope.Thread)
    public static class Cursor {
        long ops;
        private long cpuAtStart;

        @Setup(Level.Iteration)
        public void start() {
            cpuAtStart = CpuAccounting.THREADS.getCurrentThreadCpuTime();
            ops = 0;
        }

        @TearDown(Level.Iteration)
        public void stop(KafkaAuthorizerBench bench, BenchmarkParams params) {
            bench.cpu.callerDone(ops, CpuAccounting.THREADS.getCurrentThreadCpuTime() - cpuAtStart, params,
                    bench.impl + " policies=" + bench.policies);
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        cpu.startIteration();
    }

    @Benchmark
    public AuthorizationResult authorize(Cursor c) {
        int i = (int) (c.ops++ & 4095);
        return authorizer.authorize(contexts[i], actions[i]).get(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        authorizer.close();
        if (audit != null && audit != DISCARD) {
            audit.close();
        }
        try (var walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * CPU time per decision over one iteration: callers (summed over benchmark threads), the audit
     * writer thread ("audit-batch-writer"), the audit I/O thread ("audit-batch-io", absent before the
     * pipelined writer) and the whole process (including JIT and GC threads).
     */
    static final class CpuAccounting {
        static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        private long wallAtStart;
        private long processAtStart;
        private long writerAtStart;
        private long ioAtStart;
        private long ops;
        private long callerCpu;
        private int callersDone;

        synchronized void startIteration() {
            wallAtStart = System.nanoTime();
            processAtStart = OS.getProcessCpuTime();
            writerAtStart = threadCpu("audit-batch-writer");
            ioAtStart = threadCpu("audit-batch-io");
            ops = 0;
            callerCpu = 0;
            callersDone = 0;
        }

        synchronized void callerDone(long threadOps, long threadCpu, BenchmarkParams params, String label) {
            ops += threadOps;
            callerCpu += threadCpu;
            if (++callersDone < params.getThreads() || ops == 0) {
                return;
            }
            double wall = System.nanoTime() - wallAtStart;
            double n = ops;
            System.out.printf(java.util.Locale.ROOT,
                    "%n[cpu] %s threads=%d decisions=%d  caller %.3f µs/op  audit-writer %.3f µs/op  audit-io %.3f µs/op"
                            + "  process %.3f µs/op  wall %.3f µs/op  callers on-CPU %.0f%%%n",
                    label, params.getThreads(), ops, callerCpu / n / 1e3,
                    (threadCpu("audit-batch-writer") - writerAtStart) / n / 1e3,
                    (threadCpu("audit-batch-io") - ioAtStart) / n / 1e3,
                    (OS.getProcessCpuTime() - processAtStart) / n / 1e3, wall / n * params.getThreads() / 1e3,
                    100.0 * callerCpu / (wall * params.getThreads()));
        }

        private static long threadCpu(String name) {
            long total = 0;
            for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                if (t != null && t.getThreadName().startsWith(name)) {
                    long c = THREADS.getThreadCpuTime(t.getThreadId());
                    total += Math.max(0, c);
                }
            }
            return total;
        }
    }

    /** Measures the engine alone: the audit record is built and handed to a sink that keeps nothing. */
    private static final AuditSink DISCARD = new AuditSink() {
        @Override
        public void write(AuditRecord record) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
}
