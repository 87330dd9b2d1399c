package io.securelake.contracts.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way securelake replaces a local file that another process (or the next start) reads: the content goes to
 * a temporary file in the same directory, is forced to disk, is renamed over the target in one step
 * ({@code ATOMIC_MOVE}), and then the directory is forced so the new name survives a power failure too. A reader
 * sees the old file or the new one, never half of one; after a crash the file is the old or the new one, never
 * empty (a rename can reach the disk before the data it names unless the data is forced first).
 *
 * <p>HDFS files are another matter (hsync, not fsync): see hadoop-client's {@code HdfsWrites}.
 */
public final class DurableLocalFiles {
    /** For keytabs, keys, passwords, and documents that name them. */
    public static final Set<PosixFilePermission> OWNER_ONLY = Set.copyOf(PosixFilePermissions.fromString("rw-------"));

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private DurableLocalFiles() {
    }

    /** Replaces {@code file} with {@code content}; a new file gets the process's default mode (umask). */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        replace(file, content, null);
    }

    /**
     * Replaces {@code file} with {@code content}, the file having exactly {@code permissions} from its first byte on
     * (the temporary file is created with them: a secret is never readable by others, not even for a moment).
     */
    public static void writeAtomically(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        replace(file, content, java.util.Objects.requireNonNull(permissions, "permissions"));
    }

    /**
     * Creates {@code file} with {@code content} unless it exists, atomically and durably: the content is forced to disk
     * under a temporary name, then linked to {@code file} (link(2) fails if the name exists, so of two racing
     * creators exactly one wins), then the directory is forced.
     *
     * @throws FileAlreadyExistsException when {@code file} exists; nothing was changed
     */
    public static void createAtomically(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = directoryOf(file);
        Path tmp = writeTemporary(dir, file, content, permissions);
        try {
            Files.createLink(file, tmp);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Forces a directory's entries (names created, renamed or removed in it) to disk. Some file systems refuse to open
     * a directory for this (access denied); their renames are durable on their own, so that is not an error.
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException e) {
            // see above: nothing more can be done, and nothing more is needed
        }
    }

    private static void replace(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = directoryOf(file);
        Path tmp = writeTemporary(dir, file, content, permissions);
        try {
            Files.move(tmp, file.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(dir);
    }

    private static Path directoryOf(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir;
    }

    /**
     * A new file beside the target (same file system, so the rename is atomic), hidden and recognisable by its name
     * ({@code .<name>.<random>.tmp}), holding {@code content} forced to disk.
     */
    private static Path writeTemporary(Path dir, Path file, byte[] content, Set<PosixFilePermission> permissions)
            throws IOException {
        // CREATE_NEW refuses an existing name, so the suffix need only make a clash unlikely, not impossible.
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileAttribute<?>[] attributes = permissions != null && POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
        try (FileChannel channel = FileChannel.open(tmp, options, attributes)) {
            if (permissions != null && POSIX) {
                // The umask may have taken bits the caller asked for; set exactly what was asked, before any content.
                Files.setPosixFilePermissions(tmp, permissions);
            }
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }
}
