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
    private static final Duration HUNG_AFTER = Duration.ofMillis(500);
    private static final RestartPolicy QUICK = new RestartPolicy(Duration.ZERO, Duration.ofMillis(200), 2, Duration.ofMinutes(1));

    @TempDir
    Path dir;

    private final List<Process> everything = Collections.synchronizedList(new ArrayList<>());
    private StackSupervisor supervisor;
    private CompletableFuture<Integer> running;

    /**
     * Two children like the stack's: "core" and "worker". Starting a core that does not run restarts the worker too
     * (as a new core re-issues keytabs). {@code command} says what each start of a child runs.
     */
    class Processes implements SupervisedProcesses {
        final Map<String, Process> current = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
        final Function<String, List<String>> command;
        /** Heartbeats by pid; a process without one gives none. */
        final Map<Long, Instant> heartbeats = new ConcurrentHashMap<>();

        Processes(Function<String, List<String>> command) {
            this.command = command;
        }

        @Override
        public List<String> children() {
            return List.of(StackStarter.CORE, "worker");
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
            Set<String> toStart = wanted;
            if (!live().containsKey(StackStarter.CORE)) {
                Optional.ofNullable(current.get("worker")).ifPresent(this::stop);
                toStart = Set.copyOf(children());
            }
            for (String name : children()) {
                if (toStart.contains(name) && !live().containsKey(name)) {
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
        assertThat(after.child(StackStarter.CORE).orElseThrow().restarts()).as("the core was left alone").isZero();
        assertThat(processes.starts(StackStarter.CORE)).isEqualTo(1);
    }

    @Test
    void aChildWhoseHeartbeatStopsIsKilledAndStartedAgainButOneThatBeatsIsLeftAlone() throws Exception {
        Processes processes = supervise(new Processes(StackSupervisorTest::sleeping), QUICK);
        SupervisionStatus ready = await(s -> s.ready() && running(s, "worker") && running(s, StackStarter.CORE));
        long worker = ready.child("worker").orElseThrow().pid();
        long core = ready.child(StackStarter.CORE).orElseThrow().pid();
        processes.heartbeats.put(core, Instant.now().plus(Duration.ofHours(1))); // beats, as far as the test is concerned

        processes.heartbeats.put(worker, Instant.now().minus(Duration.ofMinutes(5))); // alive, but silent

        SupervisedChild restarted = await(s -> running(s, "worker") && s.child("worker").get().pid() != worker)
                .child("worker").orElseThrow();
        assertThat(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false)).as("the silent one").isFalse();
        assertThat(restarted.restarts()).isEqualTo(1);
        // 300 s silent when the test set it, and up to a second or two more by the time the loop looked
        assertThat(restarted.lastExit().cause()).matches("killed by the supervisor: unresponsive, no sign of life for 30\\d s .*");
        assertThat(restarted.lastExit().exitCode()).isEqualTo(137);
        assertThat(await(s -> true).child(StackStarter.CORE).orElseThrow().pid()).as("the beating core").isEqualTo(core);
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
        assertThat(await(s -> running(s, StackStarter.CORE)).child(StackStarter.CORE).orElseThrow().restarts()).isZero();

        Files.writeString(dir.resolve("retry"), "retry\n");
        await(s -> s.child("worker").map(c -> c.state() == ChildState.FAILED).orElse(false) && processes.starts("worker") == 6);
        assertThat(dir.resolve("retry")).as("the request was taken").doesNotExist();
    }

    @Test
    void aDeadCoreIsStartedAgainWithEveryServiceSinceItsKeysAreNew() throws Exception {
        Processes processes = supervise(new Processes(StackSupervisorTest::sleeping), QUICK);
        SupervisionStatus ready = await(s -> s.ready() && running(s, "worker") && running(s, StackStarter.CORE));
        long core = ready.child(StackStarter.CORE).orElseThrow().pid();
        long worker = ready.child("worker").orElseThrow().pid();

        ProcessHandle.of(core).orElseThrow().destroyForcibly();

        SupervisionStatus after = await(s -> running(s, StackStarter.CORE) && running(s, "worker")
                && s.child(StackStarter.CORE).get().pid() != core && s.child("worker").get().pid() != worker);
        assertThat(after.child(StackStarter.CORE).orElseThrow().lastExit().cause()).isEqualTo("killed by signal 9 (SIGKILL)");
        SupervisedChild w = after.child("worker").orElseThrow();
        assertThat(w.lastExit().cause()).contains("the core restarted");
        assertThat(w.restarts()).isEqualTo(1);
        assertThat(processes.starts("worker")).isEqualTo(2);
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
                super.start(Set.of(StackStarter.CORE), progress, started);
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
