package io.securelake.tests.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time spent by each part of the pipeline between two snapshots: this JVM's threads grouped by what they
 * run (the application's sending threads, the producer's I/O thread, the broker, HDFS), the rest of this JVM
 * (collector, JIT, threads that ended) and the writer's process. Benchmarks use it to say where an event's
 * CPU goes, since on two cores every part competes with every other.
 */
final class CpuAccount {
    static final String[] PARTS = {"sender", "producer-io", "broker", "hdfs", "gc", "jit", "jvm-other", "writer"};

    /** CPU of threads that ended between the snapshots and were counted by themselves ({@link #addSender}). */
    private final java.util.concurrent.atomic.AtomicLong senderNanos = new java.util.concurrent.atomic.AtomicLong();

    /** Called by a sending thread as it ends: its CPU would otherwise be lost with it. */
    void addSender() {
        senderNanos.addAndGet(threads.getCurrentThreadCpuTime());
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final long writerPid;

    CpuAccount(long writerPid) {
        this.writerPid = writerPid;
    }

    /** A point in time: CPU nanoseconds per live thread of this JVM, this process, and the writer process. */
    record Snapshot(Map<Long, Long> threadNanos, Map<Long, String> threadParts, long processNanos, long writerNanos,
                    long endedSenderNanos, long gcMillis, Map<String, Long> vmThreadNanos) {
    }

    Snapshot snapshot() throws Exception {
        Map<Long, Long> nanos = new HashMap<>();
        Map<Long, String> parts = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                nanos.put(info.getThreadId(), cpu);
                parts.put(info.getThreadId(), partOf(info.getThreadName()));
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long gc = 0;
        for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, bean.getCollectionTime());
        }
        return new Snapshot(nanos, parts, process, processCpuNanos(writerPid), senderNanos.get(), gc, vmThreadNanos());
    }

    /** CPU nanoseconds per part between the snapshots; threads born in between count from zero. */
    static Map<String, Long> between(Snapshot before, Snapshot after) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String p : PARTS) {
            out.put(p, 0L);
        }
        long threadsTotal = 0;
        for (Map.Entry<Long, Long> e : after.threadNanos().entrySet()) {
            long d = e.getValue() - before.threadNanos().getOrDefault(e.getKey(), 0L);
            out.merge(after.threadParts().get(e.getKey()), d, Long::sum);
            threadsTotal += d;
        }
        for (String vmPart : List.of("gc", "jit")) {
            long d = after.vmThreadNanos().getOrDefault(vmPart, 0L) - before.vmThreadNanos().getOrDefault(vmPart, 0L);
            out.merge(vmPart, d, Long::sum);
            threadsTotal += d;
        }
        long senders = after.endedSenderNanos() - before.endedSenderNanos();
        out.merge("sender", senders, Long::sum);
        threadsTotal += senders;
        out.merge("jvm-other", Math.max(0, after.processNanos() - before.processNanos() - threadsTotal), Long::sum);
        out.put("writer", after.writerNanos() - before.writerNanos());
        return out;
    }

    /** The busiest threads between the snapshots, to check how threads are sorted into parts. */
    static String busiest(Snapshot before, Snapshot after, Map<Long, String> names, int n) {
        StringBuilder out = new StringBuilder();
        after.threadNanos().entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue() - before.threadNanos().getOrDefault(b.getKey(), 0L),
                        a.getValue() - before.threadNanos().getOrDefault(a.getKey(), 0L)))
                .limit(n)
                .forEach(e -> out.append(String.format("  %6.0f ms  %-11s %s%n",
                        (e.getValue() - before.threadNanos().getOrDefault(e.getKey(), 0L)) / 1e6,
                        after.threadParts().get(e.getKey()), names.get(e.getKey()))));
        return out.toString();
    }

    Map<Long, String> threadNames() {
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        return names;
    }

    static String partOf(String thread) {
        if (thread.startsWith("bench-sender")) {
            return "sender";
        }
        if (thread.startsWith("kafka-producer-network-thread")) {
            return "producer-io";
        }
        if (thread.contains("kafka") || thread.contains("Kafka") || thread.startsWith("broker-")
                || thread.startsWith("controller-") || thread.contains("raft") || thread.startsWith("ReplicaFetcher")
                || thread.startsWith("LogDirFailureHandler") || thread.startsWith("ExpirationReaper")) {
            return "broker";
        }
        if (thread.startsWith("IPC ") || thread.contains("DataXceiver") || thread.startsWith("PacketResponder")
                || thread.startsWith("BP-") || thread.contains("DataNode") || thread.contains("NameNode")
                || thread.contains("org.apache.hadoop") || thread.startsWith("Socket Reader")
                || thread.startsWith("FSEditLog") || thread.contains("BlockReport") || thread.contains("hdfs")) {
            return "hdfs";
        }
        return "jvm-other";
    }

    /**
     * CPU of the JVM's own threads, which {@link ThreadMXBean} does not list: the collector's ("GC Thread#0",
     * "G1 Conc#0", "G1 Refine#0", …) and the JIT compilers' ("C2 CompilerThre", "C1 CompilerThre"), by their
     * Linux thread names.
     */
    static Map<String, Long> vmThreadNanos() throws Exception {
        Map<String, Long> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                String stat;
                try {
                    comm = Files.readString(task.resolve("comm")).strip();
                    stat = Files.readString(task.resolve("stat"));
                } catch (java.io.IOException ended) {
                    continue;
                }
                String part = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "gc"
                        : comm.startsWith("C2 Compiler") || comm.startsWith("C1 Compiler") ? "jit" : null;
                if (part != null) {
                    out.merge(part, cpuNanosOfStat(stat), Long::sum);
                }
            }
        }
        return out;
    }

    /** utime + stime of a process from /proc/<pid>/stat, in nanoseconds (clock ticks of 10 ms). */
    static long processCpuNanos(long pid) throws Exception {
        return cpuNanosOfStat(Files.readString(Path.of("/proc/" + pid + "/stat")));
    }

    /** utime + stime (fields 14 and 15 of proc(5)) of a process's or thread's stat line, in nanoseconds. */
    private static long cpuNanosOfStat(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }
}
