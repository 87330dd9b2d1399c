package io.securelake.devstack.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A background JVM of the local stack (the core, the lake-writer): started detached from the
 * terminal with this JVM's class path, its output appended to a log, and waited for on a real
 * readiness signal — a file it writes — with a timeout.
 */
final class ChildJvm {
    private static final int LOG_TAIL_LINES = 40;
    private static final Duration NOT_READY_GRACE = Duration.ofSeconds(10);

    private ChildJvm() {
    }

    static Process start(List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        return start(jvmOptions, System.getProperty("java.class.path"), mainClass, args, log);
    }

    /** Starts a child with its own class path (Spark's and Knox's JVMs must not see the core's Hadoop). */
    static Process start(List<String> jvmOptions, String classPath, String mainClass, List<String> args, Path log) {
        return start(jvmOptions, classPath, mainClass, args, log, Optional.empty(), Optional.empty());
    }

    /**
     * Starts a child, as {@code runAs} when given (setpriv: the same process, so its PID and start time are the
     * ones recorded and stopped), with {@code workDir} as working and home directory: a service running as its
     * own user writes nothing (derby.log, caches) where only root may.
     */
    static Process start(List<String> jvmOptions, String classPath, String mainClass, List<String> args, Path log,
                         Optional<Isolation.OsUser> runAs, Optional<Path> workDir) {
        List<String> command = new ArrayList<>();
        // setsid detaches the child from the terminal's session: closing the shell does not stop it.
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        runAs.ifPresent(u -> command.addAll(OsAccounts.runAs(u)));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Java takes user.home from the passwd entry (a service user's is /nonexistent), not from HOME.
        workDir.ifPresent(dir -> command.add("-Duser.home=" + dir));
        // A temporary directory of its own: libraries keep caches there (Shiro's ehcache disk store, Spark's
        // blocks, Hive's scratch), which in a shared /tmp other processes could read or have made unwritable.
        workDir.ifPresent(dir -> command.add("-Djava.io.tmpdir=" + ChildService.tmpDir(dir)));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Djava.net.preferIPv4Stack=true",
                "-Dcom.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize=true",
                "--add-exports", "java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                "-cp", classPath, mainClass));
        command.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command);
            workDir.ifPresent(dir -> {
                builder.directory(dir.toFile());
                builder.environment().put("HOME", dir.toString());
            });
            runAs.ifPresent(u -> {
                builder.environment().put("USER", u.name());
                builder.environment().put("LOGNAME", u.name());
                // root's ticket cache is not the service's (it logs in from its own keytab) and unreadable to it
                builder.environment().remove("KRB5CCNAME");
            });
            return builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until {@code ready} holds, re-checking whenever something changes in {@code watchedDir}
     * (and at least every second, to notice a dead child); fails if the child exits or time runs out.
     */
    static void awaitReady(Process process, Path watchedDir, BooleanSupplier ready, Duration timeout, String what, Path log) {
        Instant deadline = Instant.now().plus(timeout);
        try (WatchService watch = watchedDir.getFileSystem().newWatchService()) {
            Files.createDirectories(watchedDir);
            watchedDir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                if (ready.getAsBoolean()) {
                    return;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(what + " exited with code " + process.exitValue()
                            + " before it was ready. Last lines of " + log + ":\n" + tail(log));
                }
                Duration left = Duration.between(Instant.now(), deadline);
                if (left.isNegative()) {
                    // SIGTERM, then SIGKILL: a process that never got ready may not act on SIGTERM either, and must
                    // not stay behind looking like a running child
                    stop(process.toHandle(), NOT_READY_GRACE);
                    throw new IllegalStateException(what + " was not ready within " + timeout
                            + " and was stopped. Last lines of " + log + ":\n" + tail(log));
                }
                WatchKey key = watch.poll(Math.min(1000, left.toMillis() + 1), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClosedWatchServiceException | InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    static void stop(ProcessHandle p, Duration grace) {
        p.destroy();
        try {
            p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            p.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping process " + p.pid(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
