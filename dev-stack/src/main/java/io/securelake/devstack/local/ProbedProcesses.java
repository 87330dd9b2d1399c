package io.securelake.devstack.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * The stack's processes, with a liveness probe for the children that give no heartbeat of their own: the query
 * server and the gateway write their status once, at readiness; the broker, the NameNode and the KMS none. Every {@code every}, a background thread opens a
 * TLS handshake with each one's port: a server that answers it (whether or not its certificate is one this JVM
 * trusts) is alive; one that accepts the connection but does not answer within {@code timeout} (stopped, or
 * deadlocked) is not, as the kernel accepts connections for a stopped process too. The supervisor asks for the
 * last answer ({@link #lastSignOfLife}) and kills a child silent for too long. Closing stops the probes.
 */
final class ProbedProcesses implements SupervisedProcesses, AutoCloseable {
    private final SupervisedProcesses stack;
    private final Map<String, Probe> probed;
    private final Duration timeout;
    private final ScheduledExecutorService prober;
    /** By pid: when the probe first met the process, and when it last answered. */
    private final Map<Long, Instant> firstProbed = new ConcurrentHashMap<>();
    private final Map<Long, Instant> lastAnswer = new ConcurrentHashMap<>();

    /**
     * Where a child serves TLS, and with what trust to greet it. A server that logs every handshake its clients
     * abandon (the Kafka broker does) is greeted with the stack's own CA, so the handshake completes and nothing is
     * logged; any TLS answer counts all the same.
     */
    record Probe(InetSocketAddress address, java.util.function.Supplier<SSLContext> tls) {
        static Probe untrusted(InetSocketAddress address) {
            return new Probe(address, () -> {
                try {
                    return SSLContext.getDefault();
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException("no default TLS context", e);
                }
            });
        }
    }

    /** @param probed the children to probe, by name, and where each one serves TLS */
    ProbedProcesses(SupervisedProcesses stack, Map<String, Probe> probed, Duration every, Duration timeout) {
        this.stack = stack;
        this.probed = Map.copyOf(probed);
        this.timeout = timeout;
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "securelake-liveness-probes");
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(this::probeAll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One round of probes. Nothing may escape: a scheduled task that throws is never run again, and every probed child
     * would then look silent and be killed.
     */
    private void probeAll() {
        try {
            probeLive();
        } catch (RuntimeException e) {
            System.err.println(Instant.now() + " liveness probes: this round failed, the next one follows: " + e);
        }
    }

    private void probeLive() {
        Map<String, ProcessHandle> live = stack.live();
        // what is known of processes that ended is of no use any more
        java.util.Set<Long> pids = new java.util.HashSet<>();
        live.values().forEach(p -> pids.add(p.pid()));
        firstProbed.keySet().retainAll(pids);
        lastAnswer.keySet().retainAll(pids);
        probed.forEach((name, probe) -> {
            ProcessHandle p = live.get(name);
            if (p == null) {
                return;
            }
            firstProbed.putIfAbsent(p.pid(), Instant.now());
            if (answersTls(probe, timeout)) {
                lastAnswer.put(p.pid(), Instant.now());
            }
        });
    }

    /**
     * Whether something at {@code address} answers a TLS handshake within {@code timeout}. A handshake refused for
     * trust is an answer; a refused connection or silence is not.
     */
    static boolean answersTls(InetSocketAddress address, Duration timeout) {
        return answersTls(Probe.untrusted(address), timeout);
    }

    static boolean answersTls(Probe probe, Duration timeout) {
        InetSocketAddress address = probe.address();
        try (Socket plain = new Socket()) {
            plain.connect(address, (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            try (SSLSocket tls = (SSLSocket) probe.tls().get().getSocketFactory()
                    .createSocket(plain, address.getHostString(), address.getPort(), false)) {
                tls.startHandshake();
                return true;
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SSLException e) {
            return !(e.getCause() instanceof SocketTimeoutException); // it spoke TLS: alive
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The child's own heartbeat when it gives one; for a probed child, its last answer, or when probing it began if
     * it never answered (a server that never answers is hung from its start); empty before the first probe.
     */
    @Override
    public Optional<Instant> lastSignOfLife(String child, long pid) {
        Optional<Instant> own = stack.lastSignOfLife(child, pid);
        if (own.isPresent() || !probed.containsKey(child)) {
            return own;
        }
        return Optional.ofNullable(lastAnswer.getOrDefault(pid, firstProbed.get(pid)));
    }

    @Override
    public List<String> children() {
        return stack.children();
    }

    @Override
    public Map<String, ProcessHandle> live() {
        return stack.live();
    }

    @Override
    public void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started) {
        stack.start(wanted, progress, started);
    }

    @Override
    public boolean stopAll(Duration grace, Consumer<String> progress) {
        return stack.stopAll(grace, progress);
    }

    @Override
    public void close() {
        prober.shutdownNow();
    }
}
