package io.securelake.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.contracts.supervision.ChildState;
import io.securelake.contracts.supervision.SupervisedChild;
import io.securelake.contracts.supervision.SupervisionStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor against real OS processes ({@code sleep}, {@code sh -c 'exit 3'}): what it restarts, after what,
 * what it reports, when it gives up, and that stopping stops everything. The stack's own children are started the
 * same way by {@link StackStarter}; here cheap processes stand in for the JVMs, so every fault runs in a second.
 */
class StackSupervisorTest {
    private static final String CORE = io.securelake.contracts.supervision.CoreComponent.KAFKA.wire();
    private static final Duration HUNG_AFTER = Duration.ofMillis(500);
    private static final RestartPolicy QUICK = new RestartPolicy(Duration.ZERO, Duration.ofMillis(200), 2, Duration.ofMinutes(1));

    @TempDir
    Path dir;

    private final List<Process> everything = Collections.synchronizedList(new ArrayList<>());
    private StackSupervisor supervisor;
    private CompletableFuture<Integer> running;

    /**
     * Two children like the stack's: a core component ("kafka") and a service ("worker"), started in that order.
     * {@code command} says what each start of a child runs.
     */
    class Processes implements SupervisedProcesses {
        final Map<String, Process> current = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
        final Function<String, List<String>> command;
        /** Heartbeats by pid; a process without one gives none. */
        final Map<Long, Instant> heartbeats = new ConcurrentHashMap<>();

        final List<String> names;

        Processes(Function<String, List<String>> command) {
            this(command, List.of(CORE, "worker"));
        }

        Processes(Function<String, List<String>> command, List<String> names) {
            this.command = command;
            this.names = names;
        }

        @Override
        public List<String> children() {
            return names;
        }

        @Override
        public Map<String, ProcessHandle> live() {
            Map<String, ProcessHandle> live = new LinkedHashMap<>();
            for (String name : children()) {
                Optional.ofNullable(current.get(name)).filter(Process::isAlive).ifPresent(p -> live.put(name, p.toHandle()));
            }
            return live;
        }

        @Override
        public void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started) {
            for (String name : children()) {
                if (wanted.contains(name) && !live().containsKey(name)) {
                    try {
                        Process p = new ProcessBuilder(command.apply(name)).start();
                        everything.add(p);
                        current.put(name, p);
                        starts.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                        started.accept(name, p);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        }

        @Override
        public Optional<Instant> lastSignOfLife(String child, long pid) {
            return Optional.ofNullable(heartbeats.get(pid));
        }

        @Override
        public boolean stopAll(Duration grace, Consumer<String> progress) {
            current.values().forEach(this::stop);
            return true;
        }

        void stop(Process p) {
            p.destroy();
            p.onExit().join();
        }

        int starts(String name) {
            return starts.getOrDefault(name, new AtomicInteger()).get();
        }
    }

    private static List<String> sleeping(String name) {
        return List.of("sleep", "600");
    }

    private Processes supervise(Processes processes, RestartPolicy policy) {
        supervisor = new StackSupervisor("dev", processes, policy, dir.resolve("supervision.json"), dir.resolve("retry"),
                Duration.ofSeconds(5), HUNG_AFTER, msg -> { });
        running = CompletableFuture.supplyAsync(supervisor::run);
        return processes;
    }

    @AfterEach
    void stop() throws Exception {
        if (supervisor != null) {
            supervisor.requestStop();
            running.get(30, TimeUnit.SECONDS);
        }
        everything.forEach(Process::destroyForcibly);
    }

    @Test
    void aKilledChildIsStartedAgainAndItsExitCauseRestartsAndUptimeAreReported() throws Exception {
        Processes processes = supervise(new Processes(StackSupervisorTest::sleeping), QUICK);
        SupervisionStatus ready = await(s -> s.ready() && s.children().stream().allMatch(c -> c.state() == ChildState.RUNNING));
        long worker = ready.child("worker").orElseThrow().pid();

        ProcessHandle.of(worker).orElseThrow().destroyForcibly(); // SIGKILL, as kill -9

        SupervisionStatus after = await(s -> running(s, "worker") && s.child("worker").get().pid() != worker);
        SupervisedChild restarted = after.child("worker").orElseThrow();
        assertThat(restarted.restarts()).isEqualTo(1);
        assertThat(restarted.lastExit().pid()).isEqualTo(worker);
        assertThat(restarted.lastExit().exitCode()).isEqualTo(137);
        assertThat(restarted.lastExit().cause()).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(restarted.upSince()).isAfter(restarted.lastExit().at().minusMillis(1));
        assertThat(ProcessHandle.of(restarted.pid())).as("the new worker runs").hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(after.child(CORE).orElseThrow().restarts()).as("the core was left alone").isZero();
        assertThat(processes.starts(CORE)).isEqualTo(1);
    }

    @Test
    void aChildWhoseHeartbeatStopsIsKilledAndStartedAgainButOneThatBeatsIsLeftAlone() throws Exception {
        Processes processes = supervise(new Processes(StackSupervisorTest::sleeping), QUICK);
        SupervisionStatus ready = await(s -> s.ready() && running(s, "worker") && running(s, CORE));
        long worker = ready.child("worker").orElseThrow().pid();
        long core = ready.child(CORE).orElseThrow().pid();
        processes.heartbeats.put(core, Instant.now().plus(Duration.ofHours(1))); // beats, as far as the test is concerned

        processes.heartbeats.put(worker, Instant.now().minus(Duration.ofMinutes(5))); // alive, but silent

        SupervisedChild restarted = await(s -> running(s, "worker") && s.child("worker").get().pid() != worker)
                .child("worker").orElseThrow();
        assertThat(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false)).as("the silent one").isFalse();
        assertThat(restarted.restarts()).isEqualTo(1);
        // 300 s silent when the test set it, and up to a second or two more by the time the loop looked
        assertThat(restarted.lastExit().cause()).matches("killed by the supervisor: unresponsive, no sign of life for 30\\d s .*");
        assertThat(restarted.lastExit().exitCode()).isEqualTo(137);
        assertThat(await(s -> true).child(CORE).orElseThrow().pid()).as("the beating core").isEqualTo(core);
    }

    @Test
    void aChildThatKeepsDyingIsReportedFailedWithTheReasonAndOnlyARetryStartsItAgain() throws Exception {
        Processes processes = supervise(new Processes(name -> name.equals("worker") ? List.of("sh", "-c", "exit 3")
                : sleeping(name)), QUICK);

        SupervisedChild failed = await(s -> s.child("worker").map(c -> c.state() == ChildState.FAILED).orElse(false))
                .child("worker").orElseThrow();
        assertThat(failed.problem()).contains("ended 3 times within 1 min (more than 2)").contains("exited with code 3")
                .contains("securelake up");
        assertThat(failed.pid()).isNull();
        assertThat(processes.starts("worker")).as("started once, then twice more, then given up").isEqualTo(3);
        assertThat(await(s -> running(s, CORE)).child(CORE).orElseThrow().restarts()).isZero();

        Files.writeString(dir.resolve("retry"), "retry\n");
        await(s -> s.child("worker").map(c -> c.state() == ChildState.FAILED).orElse(false) && processes.starts("worker") == 6);
        assertThat(dir.resolve("retry")).as("the request was taken").doesNotExist();
    }

    @Test
    void aDeadCoreComponentIsStartedAgainAloneAndTheServicesKeepTheirProcesses() throws Exception {
        Processes processes = supervise(new Processes(StackSupervisorTest::sleeping), QUICK);
        SupervisionStatus ready = await(s -> s.ready() && running(s, "worker") && running(s, CORE));
        long core = ready.child(CORE).orElseThrow().pid();
        long worker = ready.child("worker").orElseThrow().pid();

        ProcessHandle.of(core).orElseThrow().destroyForcibly();

        SupervisionStatus after = await(s -> running(s, CORE) && s.child(CORE).get().pid() != core);
        SupervisedChild k = after.child(CORE).orElseThrow();
        assertThat(k.lastExit().cause()).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(k.restarts()).isEqualTo(1);
        SupervisedChild w = after.child("worker").orElseThrow();
        assertThat(w.pid()).as("the service's process").isEqualTo(worker);
        assertThat(w.restarts()).isZero();
        assertThat(w.lastExit()).isNull();
        assertThat(processes.starts("worker")).isEqualTo(1);
        assertThat(processes.starts(CORE)).isEqualTo(2);
    }

    /**
     * The broker and the KDC it logs in to die together; the broker's backoff ends first. Started alone it would fail
     * (no KDC) and count a death it did not cause: the KDC, earlier in start order, is brought forward and started
     * first, and each is restarted once, without a failure.
     */
    @Test
    void aChildDueToStartBringsForwardTheDeadChildrenItNeedsAndAFailureBlamesOnlyTheChildThatFailed() throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Processes processes = new Processes(StackSupervisorTest::sleeping, List.of("kdc", "kafka", "worker")) {
            @Override
            public void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started) {
                // started in order: kafka after the KDC, so the KDC must run already or be started with it
                if (wanted.contains("kafka") && !live().containsKey("kdc") && !wanted.contains("kdc")) {
                    failures.add("kafka started without a KDC");
                    throw new ChildStartFailure("kafka", new IllegalStateException("the KDC does not answer"));
                }
                super.start(wanted, progress, started);
            }
        };
        RestartPolicy slow = new RestartPolicy(Duration.ofMillis(300), Duration.ofSeconds(1), 5, Duration.ofMinutes(1));
        supervisor = new StackSupervisor("dev", processes, slow, dir.resolve("supervision.json"), dir.resolve("retry"),
                Duration.ofSeconds(5), HUNG_AFTER, msg -> { });
        running = CompletableFuture.supplyAsync(supervisor::run);
        SupervisionStatus ready = await(s -> s.ready() && running(s, "kdc") && running(s, "kafka") && running(s, "worker"));
        long kdc = ready.child("kdc").orElseThrow().pid();
        long kafka = ready.child("kafka").orElseThrow().pid();

        ProcessHandle.of(kafka).orElseThrow().destroyForcibly(); // its backoff ends first
        ProcessHandle.of(kdc).orElseThrow().destroyForcibly();

        SupervisionStatus after = await(s -> running(s, "kdc") && running(s, "kafka")
                && s.child("kdc").get().pid() != kdc && s.child("kafka").get().pid() != kafka);
        assertThat(failures).as("no start of the broker without its KDC").isEmpty();
        assertThat(after.child("kafka").orElseThrow().restarts()).isEqualTo(1);
        assertThat(after.child("kdc").orElseThrow().restarts()).isEqualTo(1);
        assertThat(after.child("worker").orElseThrow().restarts()).isZero();
    }

    @Test
    void stoppingStopsEveryChildAndReportsThemStopped() throws Exception {
        Processes processes = supervise(new Processes(StackSupervisorTest::sleeping), QUICK);
        await(s -> s.ready());
        List<Process> children = List.copyOf(processes.current.values());

        supervisor.requestStop();

        assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(children).allSatisfy(p -> assertThat(p.isAlive()).isFalse());
        SupervisionStatus last = SupervisionStatus.readIfPresent(dir.resolve("supervision.json")).orElseThrow();
        assertThat(last.stopping()).isTrue();
        assertThat(last.children()).allSatisfy(c -> assertThat(c.state()).isEqualTo(ChildState.STOPPED));
        supervisor = null;
    }

    @Test
    void aStackThatCannotStartIsReportedWithTheReasonAndNothingIsLeftRunning() throws Exception {
        Processes processes = new Processes(StackSupervisorTest::sleeping) {
            @Override
            public void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started) {
                super.start(Set.of(CORE), progress, started);
                throw new IllegalStateException("the worker was not ready within PT2M");
            }
        };
        supervise(processes, QUICK);

        assertThat(running.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(SupervisionStatus.readIfPresent(dir.resolve("supervision.json")).orElseThrow().problem())
                .isEqualTo("the dev stack could not be started: the worker was not ready within PT2M");
        assertThat(processes.live()).isEmpty();
        supervisor = null;
    }

    private static boolean running(SupervisionStatus s, String child) {
        return s.child(child).map(c -> c.state() == ChildState.RUNNING).orElse(false);
    }

    /** The first status that satisfies {@code condition}, re-read whenever the supervisor replaces its file. */
    private SupervisionStatus await(Predicate<SupervisionStatus> condition) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        Path file = dir.resolve("supervision.json");
        try (WatchService watch = dir.getFileSystem().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                Optional<SupervisionStatus> s = SupervisionStatus.readIfPresent(file);
                if (s.filter(condition).isPresent()) {
                    return s.get();
                }
                assertThat(Instant.now()).as("waiting for the supervisor; last: %s", s).isBefore(deadline);
                WatchKey key = watch.poll(200, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }
}
