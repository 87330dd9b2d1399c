package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.Contract;
import io.securelake.contracts.ContractException;
import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.contracts.status.ServiceFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.operations.connect.StackHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A long-running child JVM of the local stack that reports itself in its status file ({@link ServiceStatus}: its PID
 * and {@code state: running} once ready), recorded by PID and start time so that {@code down} stops exactly it. The
 * lake-writer, the query server and the gateway are such services.
 */
final class ChildService<F extends ServiceFigures> {
    private final String name;
    private final StackHome home;
    private final Contract<ServiceStatus<F>> contract;
    private final String statusFileName;

    /**
     * @param kind     which service: its state directory, log and status file names
     * @param contract what its status file holds ({@link ServiceStatus#LAKE_WRITER}, …)
     */
    ChildService(ServiceKind kind, StackHome home, Contract<ServiceStatus<F>> contract) {
        this.name = kind.stateDirName();
        this.home = home;
        this.contract = contract;
        this.statusFileName = kind.statusFileName();
    }

    String name() {
        return name;
    }

    Path stateDir() {
        return home.root().resolve(name);
    }

    Path log() {
        return home.logsDir().resolve(name + ".log");
    }

    Path statusFile() {
        return stateDir().resolve(statusFileName);
    }

    private Path processFile() {
        return home.root().resolve(name + ".process");
    }

    Optional<ProcessHandle> live() {
        return ProcessRecord.read(processFile()).flatMap(ProcessRecord::live);
    }

    boolean recordedButDead() {
        return ProcessRecord.read(processFile()).isPresent() && live().isEmpty();
    }

    /**
     * Starts the child ({@code launch} spawns it), tells {@code spawned} of it, and waits until its status file says
     * it runs; returns it.
     */
    Process start(Supplier<Process> launch, Duration timeout, Consumer<Process> spawned) {
        return start(launch, timeout, Isolation.logicalOnly("runs as the user who ran 'up', like the core"), spawned);
    }

    /** The same, recording how the child is isolated ({@code securelake status} reports it). */
    Process start(Supplier<Process> launch, Duration timeout, Isolation isolation, Consumer<Process> spawned) {
        try {
            Files.createDirectories(stateDir());
            // owner-only: other services' OS users may traverse the stack home
            Files.setPosixFilePermissions(stateDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(statusFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Process p = launch.get();
        ProcessRecord.of(p.toHandle()).write(processFile());
        isolation.write(isolationFile());
        spawned.accept(p);
        try {
            ChildJvm.awaitReady(p, stateDir(), () -> status().filter(s -> s.pid() == p.pid())
                    .map(s -> s.state() == ServiceState.RUNNING).orElse(false), timeout, "the " + name, log());
        } catch (ContractException e) {
            // It will never report in a form this launcher reads: stop it rather than leave it running unwatched.
            ChildJvm.stop(p.toHandle(), java.time.Duration.ofSeconds(30));
            throw new IllegalStateException("the " + name + " reported a status this securelake cannot read, and was "
                    + "stopped: " + e.getMessage(), e);
        }
        return p;
    }

    boolean stop(Duration grace) {
        Optional<ProcessHandle> p = live();
        p.ifPresent(h -> ChildJvm.stop(h, grace));
        try {
            Files.deleteIfExists(processFile());
        } catch (IOException ignored) {
            // re-checked against the live PID next time
        }
        return p.isPresent();
    }

    /**
     * The reported status of the live process (with its observed isolation when {@code withIsolation}); "not running"
     * or "died" otherwise, or "unreadable status" with the problem when the live process's file breaks its contract.
     */
    ServiceReport<F> report(boolean withIsolation) {
        Optional<ProcessHandle> live = live();
        if (live.isEmpty()) {
            return ServiceReport.observed(recordedButDead() ? ServiceState.DIED : ServiceState.NOT_RUNNING);
        }
        Optional<ObjectNode> isolation = withIsolation ? Optional.of(observedIsolation(live.get())) : Optional.empty();
        try {
            return status().filter(s -> s.pid() == live.get().pid())
                    .map(s -> ServiceReport.reported(s, isolation))
                    .orElseGet(() -> ServiceReport.observed(ServiceState.NOT_RUNNING));
        } catch (ContractException e) {
            return ServiceReport.unreadable(e.getMessage(), isolation);
        } catch (java.io.UncheckedIOException e) {
            return ServiceReport.unreadable("cannot read " + statusFile() + ": " + e.getMessage(), isolation);
        }
    }

    /**
     * What {@code up} arranged, checked against the process itself: a service is reported as running as its
     * own OS user only when {@code /proc/<pid>} shows that uid, so the status never claims more than is true.
     */
    ObjectNode observedIsolation(ProcessHandle process) {
        Isolation recorded = Isolation.read(isolationFile())
                .orElse(Isolation.logicalOnly("started without a record of its isolation (an older 'up')"));
        long uid = processUid(process.pid());
        Isolation observed = recorded;
        if (recorded.user().isPresent() && recorded.user().get().uid() != uid) {
            observed = Isolation.logicalOnly("was to run as " + recorded.user().get().name() + " (uid "
                    + recorded.user().get().uid() + ") but runs as uid " + uid);
        } else if (recorded.user().isEmpty() && uid != OsAccounts.currentUid() && uid > 0) {
            observed = Isolation.logicalOnly(recorded.reason() + " (runs as uid " + uid + ")");
        }
        return observed.toJson().put("process_uid", uid);
    }

    /** The real uid of a process ({@code /proc/<pid>} belongs to it); -1 when unknown. */
    static long processUid(long pid) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc", Long.toString(pid)), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private Path isolationFile() {
        return home.root().resolve(name + ".isolation.json");
    }

    /** Where the copies of the service's own credentials go: its keytabs, krb5.conf, trust and key stores. */
    Path credentialsDir() {
        return stateDir().resolve("credentials");
    }

    /** The child's own {@code java.io.tmpdir} under its state directory {@code stateDir}. */
    static Path tmpDir(Path stateDir) {
        return stateDir.resolve("tmp");
    }

    /**
     * An empty credentials directory (copies are made afresh at every start, so none outlives a change of keys,
     * e.g. a re-keyed realm) and an empty temporary directory, both owner-only.
     */
    void freshCredentials() {
        for (Path dir : List.of(credentialsDir(), tmpDir(stateDir()))) {
            try {
                if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
                        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot prepare " + dir, e);
            }
        }
    }

    /** Copies one of the service's own credentials into {@link #credentialsDir()}, owner-only. */
    Path copyCredential(Path source, String fileName) {
        Path target = credentialsDir().resolve(fileName);
        try {
            DurableLocalFiles.writeAtomically(target, Files.readAllBytes(source), DurableLocalFiles.OWNER_ONLY);
            return target;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot copy " + source + " for the " + name, e);
        }
    }

    /**
     * Gives the service's OS user its state directory (with its settings and credentials) and its own audit trail,
     * lets it traverse the stack home and the audit root to reach them (everything else there becomes
     * owner-only), then checks, as that user, that it reaches {@code readable} (the JDK, its class path, the
     * environment and policy files). When it does not, the service runs as this process's user and the
     * isolation says why; with {@code SECURELAKE_ISOLATION=required} that is a failure instead.
     */
    Isolation delegate(Isolation wanted, Path auditStage, List<Path> readable) {
        Isolation result = wanted;
        if (wanted.user().isPresent()) {
            Isolation.OsUser user = wanted.user().get();
            try {
                Path root = home.root();
                OsAccounts.traverseOnly(root);
                OsAccounts.ownerOnlyChildren(root, java.util.Set.of(home.auditDir()));
                openBase(root.getParent());
                Files.createDirectories(auditStage);
                OsAccounts.traverseOnly(home.auditDir());
                OsAccounts.ownerOnlyChildren(home.auditDir(), java.util.Set.of());
                OsAccounts.giveTree(auditStage, user);
                OsAccounts.giveTree(stateDir(), user);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot hand the " + name + "'s files to " + user.name(), e);
            }
            List<Path> needed = new java.util.ArrayList<>(readable);
            needed.add(stateDir());
            List<String> missing = OsAccounts.unreachable(user, needed, List.of(stateDir(), auditStage));
            if (!missing.isEmpty()) {
                result = Isolation.logicalOnly("the OS user " + user.name() + " cannot reach " + String.join(", ",
                        missing.subList(0, Math.min(5, missing.size()))) + (missing.size() > 5 ? " (and " + (missing.size() - 5) + " more)" : "")
                        + ": a directory on the way is not readable and traversable by others (e.g. a work tree under /root)");
            }
        }
        if (!result.separateUser() && "required".equalsIgnoreCase(System.getenv(OsAccounts.REQUIRE_VARIABLE))) {
            throw new IllegalStateException("the " + name + " service cannot run as an OS user of its own, and "
                    + OsAccounts.REQUIRE_VARIABLE + "=required: " + result.reason());
        }
        return result;
    }

    /** What a service JVM reads besides its state: the JDK, its class path, the environment and policy files, its settings. */
    static List<Path> runtimeNeeds(Distribution dist, String module, PolicyEnforcement layout, Path config) {
        List<Path> needs = new java.util.ArrayList<>(dist.classPathEntries(module));
        needs.addAll(List.of(Path.of(System.getProperty("java.home")), layout.envsDir().toAbsolutePath(),
                layout.policiesDir().toAbsolutePath(), config));
        return needs;
    }

    /**
     * Lets others traverse the directory holding the stack homes, when it is ours alone ({@code .securelake} or
     * {@code SECURELAKE_HOME}); a shared directory such as /tmp (world-writable) is left as it is. Files directly in
     * it (the CLI's log) become owner-only.
     */
    private static void openBase(Path base) throws IOException {
        int mode = ((Number) Files.getAttribute(base, "unix:mode")).intValue();
        long owner = ((Number) Files.getAttribute(base, "unix:uid")).longValue();
        boolean shared = (mode & 01002) != 0; // world-writable (0002) or sticky (01000), octal
        if (owner == OsAccounts.currentUid() && !shared) {
            OsAccounts.traverseOnly(base);
            try (java.util.stream.Stream<Path> children = Files.list(base)) {
                for (Path p : children.filter(c -> Files.isRegularFile(c, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            }
        }
    }

    /** Writes a settings file for the child into its state directory, readable by the owner only (it names secrets). */
    Path writePrivate(String fileName, String content) {
        Path file = stateDir().resolve(fileName);
        try {
            DurableLocalFiles.writeAtomically(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    DurableLocalFiles.OWNER_ONLY);
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * The child's status file: empty when there is none (not written yet, or removed at stop).
     *
     * @throws ContractException when the file breaks its contract (the child replaces it atomically, so this is never
     *                           a half-written file: it is a child of another build, or a bug)
     */
    Optional<ServiceStatus<F>> status() {
        return ServiceStatus.readIfPresent(statusFile(), contract);
    }
}
