package io.securelake.devstack.local;

import io.securelake.devstack.local.Isolation.OsUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Unprivileged OS users for the services people's requests reach, as real deployments run {@code hive} and
 * {@code knox} as users of their own: created on demand (system users, no login shell, no home), given their
 * own files, and switched to with {@code setpriv} when a child JVM starts. Only root can do this; everyone else
 * gets {@link Isolation#LOGICAL_ONLY} with the reason.
 */
final class OsAccounts {
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final Path USERADD = Path.of("/usr/sbin/useradd");
    static final Path GETENT = Path.of("/usr/bin/getent");
    static final Path NOLOGIN = Path.of("/usr/sbin/nologin");
    static final Path SH = Path.of("/bin/sh");
    /** {@code SECURELAKE_ISOLATION=required}: {@code up} fails instead of running a service as root. */
    static final String REQUIRE_VARIABLE = "SECURELAKE_ISOLATION";
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    /** useradd: "username already in use" (another {@code up} created it concurrently). */
    private static final int USERADD_EXISTS = 9;
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    /** Others may pass through to a path they know, not list it: the stack home and the audit root. */
    private static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");

    private OsAccounts() {
    }

    /** The account {@code name} (created if absent), or why the service runs as this process's user instead. */
    static Isolation arrange(Optional<String> name, String service) {
        if (name.isEmpty()) {
            return Isolation.logicalOnly("the OS user name of the " + service + " would exceed 32 characters (environment name too long)");
        }
        long uid = currentUid();
        if (uid != 0) {
            return Isolation.logicalOnly("'up' runs as uid " + uid + " (" + System.getProperty("user.name")
                    + "), not root: it cannot create OS users or switch to them");
        }
        for (Path tool : List.of(SETPRIV, USERADD, GETENT, SH)) {
            if (!Files.isExecutable(tool)) {
                return Isolation.logicalOnly(tool + " is missing (util-linux / passwd): cannot create or switch to OS users");
            }
        }
        Optional<OsUser> user = lookup(name.get());
        if (user.isEmpty()) {
            Result created = run(List.of(USERADD.toString(), "--system", "--user-group", "--no-create-home",
                    "--home-dir", "/nonexistent", "--shell", Files.isExecutable(NOLOGIN) ? NOLOGIN.toString() : "/bin/false",
                    "--comment", "securelake " + service, name.get()));
            if (created.exit() != 0 && created.exit() != USERADD_EXISTS) {
                return Isolation.logicalOnly("useradd " + name.get() + " failed (exit " + created.exit() + "): " + created.output().strip());
            }
            user = lookup(name.get());
        }
        return user.map(Isolation::osUser)
                .orElseGet(() -> Isolation.logicalOnly("the OS user " + name.get() + " could not be found after creating it"));
    }

    static long currentUid() {
        try {
            // /proc/self belongs to the process's effective uid
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    static Optional<OsUser> lookup(String name) {
        Result r = run(List.of(GETENT.toString(), "passwd", name));
        if (r.exit() != 0) {
            return Optional.empty();
        }
        String[] f = r.output().strip().split(":");
        if (f.length < 4 || !f[0].equals(name)) {
            return Optional.empty();
        }
        int uid = Integer.parseInt(f[2]);
        if (uid == 0) {
            throw new IllegalStateException("the OS user " + name + " has uid 0: refusing to treat it as unprivileged");
        }
        return Optional.of(new OsUser(name, uid, Integer.parseInt(f[3])));
    }

    /** The command prefix that starts a program as {@code user}: no capabilities, no way back to root. */
    static List<String> runAs(OsUser user) {
        return List.of(SETPRIV.toString(), "--reuid=" + user.uid(), "--regid=" + user.gid(), "--init-groups",
                "--no-new-privs", "--");
    }

    /**
     * The paths of {@code readable} (and, with write access, {@code writable}) that {@code user} cannot reach,
     * each checked as that user: a directory on the way that others may not traverse (a work tree under /root,
     * a 0700 parent) shows up here, with the path it hides.
     */
    static List<String> unreachable(OsUser user, List<Path> readable, List<Path> writable) {
        List<String> command = new ArrayList<>(runAs(user));
        command.addAll(List.of(SH.toString(), "-c",
                "for a do p=${a#?:}; case $a in "
                        + "r:*) if [ -d \"$p\" ]; then [ -r \"$p\" ] && [ -x \"$p\" ]; else [ -r \"$p\" ]; fi ;; "
                        + "w:*) [ -d \"$p\" ] && [ -w \"$p\" ] && [ -x \"$p\" ] ;; "
                        + "esac || echo \"$p\"; done", "sh"));
        readable.forEach(p -> command.add("r:" + p));
        writable.forEach(p -> command.add("w:" + p));
        Result r = run(command);
        if (r.exit() != 0) {
            return List.of("(the check as " + user.name() + " failed, exit " + r.exit() + ": " + r.output().strip() + ")");
        }
        return r.output().lines().filter(l -> !l.isBlank()).distinct().toList();
    }

    /**
     * Gives {@code dir} and everything under it to {@code user}, owner-only. Symbolic links are never followed and
     * files with more than one link are refused: the service could otherwise have planted a link to a file of
     * root's in its own directory and have the next {@code up} hand it over.
     */
    static void giveTree(Path dir, OsUser user) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    continue; // never followed; the service may keep its own links
                }
                boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                if (!directory && ((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() > 1) {
                    throw new IllegalStateException(p + " has several hard links: refusing to give it to " + user.name());
                }
                give(p, user, directory ? OWNER_DIR : OWNER_FILE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give " + dir + " to " + user.name(), e);
        }
    }

    static void give(Path p, OsUser user, Set<PosixFilePermission> mode) throws IOException {
        Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setPosixFilePermissions(p, mode);
    }

    /** Others may traverse {@code dir} to a path they know, not list or read it. */
    static void traverseOnly(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, TRAVERSE_ONLY);
    }

    /**
     * Whatever lies directly in {@code dir} becomes owner-only, except {@code keep} (the services' own
     * directories): once others may traverse {@code dir}, its files must not be readable by name.
     */
    static void ownerOnlyChildren(Path dir, Set<Path> keep) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.toList()) {
                if (keep.contains(p) || Files.isSymbolicLink(p)) {
                    continue;
                }
                Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(p));
                perms.removeAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out;
            try (var in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Result(-1, command.get(0) + " did not finish within " + TOOL_TIMEOUT);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }
}
