package io.securelake.devstack.local;

import io.securelake.contracts.supervision.ChildExit;
import io.securelake.contracts.supervision.ChildState;
import io.securelake.contracts.supervision.SupervisedChild;
import io.securelake.contracts.supervision.SupervisionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the children of a stack running, as YARN's NodeManager or systemd keep theirs: it starts them, notices when
 * one ends (as its parent it learns the exit status: a kill -9 reads "killed by signal 9"), starts it again after a
 * backoff ({@link RestartPolicy}), and reports each child's state, restarts, last exit and uptime in the
 * {@link SupervisionStatus} file after every change. A child that keeps dying is reported failed with the reason and
 * left alone until a retry is requested ({@code securelake up}). A child that gives a heartbeat and stops giving it
 * for {@code hungAfter} (alive, but deadlocked or stopped) is killed, and so restarted. Stopping stops every child.
 *
 * <p>One thread (the one that calls {@link #run}) owns all state; exits and stop requests reach it through a queue.
 */
final class StackSupervisor {
    /** Wakes the loop without an exit (stop requested). */
    private static final Exited WAKE = new Exited("", -1);
    /** How often the loop looks for a retry request when nothing else happens. */
    private static final Duration IDLE_CHECK = Duration.ofSeconds(1);

    private final String environment;
    private final SupervisedProcesses stack;
    private final RestartPolicy policy;
    private final Path statusFile;
    private final Path retryRequest;
    private final Duration stopGrace;
    private final Duration hungAfter;
    private final Consumer<String> progress;
    private final BlockingQueue<Exited> exits = new LinkedBlockingQueue<>();
    private final Map<String, Child> children = new LinkedHashMap<>();
    private final Instant startedAt = Instant.now();
    private volatile boolean stopRequested;
    /** Guarded by this: the loop is inside a start, which a stop request interrupts (and nothing else is). */
    private boolean starting;
    private Thread loop;
    private boolean ready;
    private boolean stopping;
    private String problem;

    private record Exited(String child, long pid) {
    }

    /** What the loop knows of one child. */
    private static final class Child {
        final String name;
        ChildState state = ChildState.STARTING;
        ProcessHandle handle;
        Process process;
        Instant upSince;
        /** When its current process was ready (its start returned): silence counts from there at the earliest. */
        Instant readySince;
        int restarts;
        boolean startedOnce;
        ChildExit lastExit;
        Instant nextStartAt;
        String problem;
        /** Why the supervisor killed the current process, when it did: its exit is reported with this cause. */
        String killedBecause;
        final List<Instant> deaths = new ArrayList<>();

        Child(String name) {
            this.name = name;
        }

        SupervisedChild report() {
            return new SupervisedChild(name, state, handle == null ? null : handle.pid(), upSince, restarts, lastExit,
                    nextStartAt, problem);
        }
    }

    /**
     * @param statusFile   where the supervision status is published
     * @param retryRequest a file whose appearance asks to start failed children again (it is removed)
     * @param hungAfter    how long a child that gives a heartbeat may go without one before it is killed
     */
    StackSupervisor(String environment, SupervisedProcesses stack, RestartPolicy policy, Path statusFile, Path retryRequest,
                    Duration stopGrace, Duration hungAfter, Consumer<String> progress) {
        this.environment = environment;
        this.stack = stack;
        this.policy = policy;
        this.statusFile = statusFile;
        this.retryRequest = retryRequest;
        this.stopGrace = stopGrace;
        this.hungAfter = hungAfter;
        this.progress = progress;
        for (String name : stack.children()) {
            children.put(name, new Child(name));
        }
    }

    /**
     * Starts every child, then keeps them running until {@link #requestStop}; then stops them all.
     *
     * @return 0 after a requested stop, 1 when the stack could not be started in the first place
     */
    int run() {
        synchronized (this) {
            loop = Thread.currentThread();
        }
        publish();
        try {
            startChildren(Set.copyOf(children.keySet()));
            if (children.values().stream().anyMatch(c -> c.handle == null)) {
                throw new IllegalStateException("not every child runs after the start: " + report());
            }
        } catch (RuntimeException e) {
            if (!stopRequested) {
                problem = "the " + environment + " stack could not be started: " + e.getMessage();
                progress.accept(problem);
                stopAll();
                return 1;
            }
        }
        if (stopRequested) {
            stopAll();
            return 0;
        }
        ready = true;
        publish();
        while (!stopRequested) {
            try {
                Exited e = exits.poll(untilNextStart().toMillis(), TimeUnit.MILLISECONDS);
                while (e != null && !stopRequested) {
                    onExit(e);
                    e = exits.poll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (stopRequested) {
                break;
            }
            retryIfRequested();
            killHung();
            startDue();
        }
        stopAll();
        return 0;
    }

    /** Asks the loop to stop every child and return; interrupts a start in progress. Any thread. */
    void requestStop() {
        synchronized (this) {
            stopRequested = true;
            if (starting) {
                loop.interrupt(); // only a start in progress: an interrupted file write would fail
            }
        }
        exits.offer(WAKE);
    }

    private void stopAll() {
        stopping = true;
        publish();
        List<ProcessHandle> held = new ArrayList<>();
        for (Child c : children.values()) {
            if (c.handle != null) {
                held.add(c.handle);
            }
            c.handle = null; // their exits from here on are the stop's, not deaths
        }
        stack.stopAll(stopGrace, progress);
        // A child whose record was never written (a stop that interrupted its start) is still this supervisor's.
        for (ProcessHandle h : held) {
            if (h.isAlive()) {
                progress.accept("stopping process " + h.pid() + ", which no record named");
                ChildJvm.stop(h, stopGrace);
            }
        }
        for (Child c : children.values()) {
            c.state = ChildState.STOPPED;
            c.process = null;
            c.upSince = null;
            c.nextStartAt = null;
        }
        publish();
    }

    private void onExit(Exited e) {
        Child c = children.get(e.child());
        if (c == null || c.handle == null || c.handle.pid() != e.pid()) {
            return; // a process the supervisor stopped or already replaced
        }
        Instant now = Instant.now();
        Integer code = c.process != null && c.process.pid() == e.pid() ? c.process.exitValue() : null;
        String cause = c.killedBecause != null ? "killed by the supervisor: " + c.killedBecause
                : code != null ? ChildExit.describe(code)
                : "ended (exit status unknown: it was started before this supervisor, which is not its parent)";
        c.killedBecause = null;
        c.lastExit = new ChildExit(now, e.pid(), code, cause);
        c.handle = null;
        c.process = null;
        c.upSince = null;
        c.deaths.add(now);
        schedule(c, now);
        progress.accept(c.name + " (pid " + e.pid() + ") " + cause + "; " + (c.state == ChildState.FAILED ? c.problem
                : "starting it again at " + c.nextStartAt));
        publish();
    }

    /**
     * Kills each running child whose heartbeat is older than {@code hungAfter} (and that has run that long): its exit
     * then restarts it like any other. SIGKILL, because a stopped or deadlocked process does not act on SIGTERM.
     */
    private void killHung() {
        Instant now = Instant.now();
        for (Child c : children.values()) {
            if (c.state != ChildState.RUNNING || c.handle == null || c.killedBecause != null || c.readySince == null) {
                continue;
            }
            Optional<Instant> sign = stack.lastSignOfLife(c.name, c.handle.pid());
            if (sign.isEmpty()) {
                continue;
            }
            // a slow start is not silence: nothing before readiness counts against it
            Instant counted = sign.get().isBefore(c.readySince) ? c.readySince : sign.get();
            if (Duration.between(counted, now).compareTo(hungAfter) > 0) {
                c.killedBecause = "unresponsive, no sign of life for " + Duration.between(sign.get(), now).toSeconds()
                        + " s (the last at " + sign.get() + ", the limit is " + hungAfter.toSeconds() + " s)";
                progress.accept(c.name + " (pid " + c.handle.pid() + ") is " + c.killedBecause + ": killing it");
                c.handle.destroyForcibly();
            }
        }
    }

    private void schedule(Child c, Instant now) {
        Optional<Duration> delay = policy.nextDelay(c.deaths, now);
        if (delay.isEmpty()) {
            c.state = ChildState.FAILED;
            c.nextStartAt = null;
            c.problem = c.name + " " + policy.giveUpReason(c.deaths, now)
                    + (c.lastExit == null ? "" : "; last exit: " + c.lastExit.cause());
        } else {
            c.state = ChildState.BACKING_OFF;
            c.nextStartAt = now.plus(delay.get());
        }
    }

    private Duration untilNextStart() {
        Instant now = Instant.now();
        Duration wait = IDLE_CHECK;
        for (Child c : children.values()) {
            if (c.state == ChildState.BACKING_OFF) {
                Duration d = Duration.between(now, c.nextStartAt);
                wait = d.compareTo(wait) < 0 ? d : wait;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    private void retryIfRequested() {
        if (!Files.exists(retryRequest)) {
            return;
        }
        Instant now = Instant.now();
        for (Child c : children.values()) {
            if (c.state == ChildState.FAILED) {
                c.deaths.clear();
                c.state = ChildState.BACKING_OFF;
                c.nextStartAt = now;
                c.problem = null;
                progress.accept(c.name + ": a retry was requested; starting it again");
            }
        }
        // Published before the request goes: 'up' takes a failed child with no request pending for a new failure.
        publish();
        try {
            Files.deleteIfExists(retryRequest);
        } catch (IOException e) {
            progress.accept("cannot remove the retry request " + retryRequest + ": " + e.getMessage());
        }
    }

    /**
     * Starts the children whose backoff is over, and with them every child still backing off that comes earlier in
     * start order: those come first because the later ones need them (a broker restarted before the KDC it logs in
     * to would fail, and count a death it did not cause). When a start fails, only the child that failed counts a
     * death; the others not started yet are tried again after their own backoff.
     */
    private void startDue() {
        Instant now = Instant.now();
        List<String> order = List.copyOf(children.keySet());
        int last = -1;
        for (Child c : children.values()) {
            if (c.state == ChildState.BACKING_OFF && !c.nextStartAt.isAfter(now)) {
                last = Math.max(last, order.indexOf(c.name));
            }
        }
        if (last < 0) {
            return;
        }
        Set<String> due = new LinkedHashSet<>();
        for (String name : order.subList(0, last + 1)) {
            if (children.get(name).state == ChildState.BACKING_OFF) {
                due.add(name);
            }
        }
        String failure;
        String failedChild = null;
        try {
            startChildren(due);
            failure = "it did not run after its start";
        } catch (RuntimeException e) {
            if (stopRequested) {
                return;
            }
            failure = e.getMessage();
            failedChild = e instanceof ChildStartFailure f ? f.child() : null;
        }
        Instant failedAt = Instant.now();
        boolean failed = false;
        for (Child c : children.values()) {
            String name = c.name;
            if (c.handle != null || !due.contains(name)) {
                continue;
            }
            failed = true;
            if (failedChild == null || failedChild.equals(name)) {
                c.deaths.add(failedAt);
                schedule(c, failedAt);
                if (c.state != ChildState.FAILED) {
                    c.problem = "the last start failed: " + failure;
                }
                progress.accept("starting " + name + " failed: " + failure);
            } else {
                schedule(c, failedAt); // not its failure: no death counted
                c.problem = "not started yet: " + failedChild + " failed to start first";
            }
        }
        if (failed) {
            publish();
        }
    }

    /** Starts {@code wanted}: marks them starting, lets the stack start them, then adopts every child that runs. */
    private void startChildren(Set<String> wanted) {
        for (Child c : children.values()) {
            if (wanted.contains(c.name)) {
                c.state = ChildState.STARTING;
                c.nextStartAt = null;
            }
        }
        publish();
        Map<String, Process> spawned = new LinkedHashMap<>();
        Map<String, Instant> spawnedAt = new LinkedHashMap<>();
        synchronized (this) {
            if (stopRequested) {
                throw new IllegalStateException("stopping");
            }
            starting = true;
        }
        try {
            stack.start(wanted, progress, (name, p) -> {
                spawned.put(name, p);
                spawnedAt.put(name, Instant.now());
            });
        } finally {
            synchronized (this) {
                starting = false;
                Thread.interrupted(); // a stop request's interrupt was for the start only
            }
            adopt(stack.live(), spawned, spawnedAt);
        }
    }

    /**
     * Watches every live child it does not watch yet, and every child it {@code spawned}, even one that already ended
     * (its exit is then noticed at once and counts as a death). A child's uptime starts when it was spawned.
     */
    private void adopt(Map<String, ProcessHandle> live, Map<String, Process> spawned, Map<String, Instant> spawnedAt) {
        Instant now = Instant.now();
        Map<String, ProcessHandle> candidates = new LinkedHashMap<>(live);
        spawned.forEach((name, p) -> candidates.put(name, p.toHandle()));
        candidates.forEach((name, handle) -> {
            Child c = children.get(name);
            if (c == null || (c.handle != null && c.handle.pid() == handle.pid())) {
                return;
            }
            Process own = spawned.get(name);
            c.process = own != null && own.pid() == handle.pid() ? own : null;
            c.handle = handle;
            c.upSince = c.process != null ? spawnedAt.getOrDefault(name, now) : now;
            c.readySince = now;
            c.state = ChildState.RUNNING;
            c.nextStartAt = null;
            c.problem = null;
            if (c.startedOnce) {
                c.restarts++;
            }
            c.startedOnce = true;
            long pid = handle.pid();
            (c.process != null ? c.process.onExit().thenApply(Process::toHandle) : handle.onExit())
                    .thenRun(() -> exits.offer(new Exited(name, pid)));
        });
        publish();
    }

    private String report() {
        return children.values().stream().map(c -> c.name + " " + c.state).reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Replaces the status file; a failure to (a full disk) is said, and supervision goes on: children matter more. */
    private void publish() {
        try {
            List<SupervisedChild> reports = children.values().stream().map(Child::report).toList();
            new SupervisionStatus(environment, ProcessHandle.current().pid(), startedAt, Instant.now(), ready, stopping,
                    problem, reports).writeTo(statusFile);
        } catch (RuntimeException e) {
            progress.accept("cannot write " + statusFile + ": " + e.getMessage());
        }
    }
}
