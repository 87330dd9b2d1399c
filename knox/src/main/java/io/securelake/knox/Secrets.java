package io.securelake.knox;

import io.securelake.contracts.files.DurableLocalFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files only their owner may read: keystores, passwords, JAAS files, ready.json. */
final class Secrets {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private Secrets() {
    }

    static void restrictToOwner(Path file) throws IOException {
        if (POSIX && Files.exists(file)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(
                    Files.isDirectory(file) ? "rwx------" : "rw-------"));
        }
    }

    static Path ownerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        restrictToOwner(dir);
        return dir;
    }

    /**
     * Replaces {@code file} atomically and durably, owner-only from its first byte ({@link DurableLocalFiles}): readers
     * see the old or the new file, never half, and a crash leaves one of them.
     */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        DurableLocalFiles.writeAtomically(file, content, DurableLocalFiles.OWNER_ONLY);
    }

    static void writeAtomically(Path file, String content) throws IOException {
        writeAtomically(file, content.getBytes(StandardCharsets.UTF_8));
    }
}
