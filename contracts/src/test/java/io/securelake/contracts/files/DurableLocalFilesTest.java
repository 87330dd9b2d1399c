package io.securelake.contracts.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableLocalFilesTest {
    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Stream<String> names() throws Exception {
        return Files.list(dir).map(p -> p.getFileName().toString()).sorted();
    }

    @Test
    void replacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path f = dir.resolve("status.json");
        DurableLocalFiles.writeAtomically(f, utf8("old"));
        Object inodeBefore = Files.getAttribute(f, "unix:ino");
        DurableLocalFiles.writeAtomically(f, utf8("new"));
        assertThat(Files.readString(f)).isEqualTo("new");
        // replaced by a rename (a new inode), not rewritten in place: a reader holding the old file keeps it whole
        assertThat(Files.getAttribute(f, "unix:ino")).isNotEqualTo(inodeBefore);
        try (Stream<String> names = names()) {
            assertThat(names).containsExactly("status.json");
        }
    }

    @Test
    void aReaderOfTheOldFileSeesItWhole() throws Exception {
        Path f = dir.resolve("endpoints.json");
        DurableLocalFiles.writeAtomically(f, utf8("first version"));
        try (var reader = Files.newBufferedReader(f)) {
            DurableLocalFiles.writeAtomically(f, utf8("second"));
            assertThat(reader.readLine()).isEqualTo("first version");
        }
        assertThat(Files.readString(f)).isEqualTo("second");
    }

    @Test
    void ownerOnlyFromTheStartEvenOverAWiderFile() throws Exception {
        Path f = dir.resolve("people-passwords.properties");
        Files.writeString(f, "alice=old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        DurableLocalFiles.writeAtomically(f, utf8("alice=new"), DurableLocalFiles.OWNER_ONLY);
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(f)).isEqualTo("alice=new");
    }

    @Test
    void exactPermissionsEvenWhereTheUmaskWouldTakeBits() throws Exception {
        Path f = dir.resolve("krb5.conf");
        DurableLocalFiles.writeAtomically(f, utf8("[libdefaults]"), PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-rw-r--"));
    }

    @Test
    void createsMissingDirectories() throws Exception {
        Path f = dir.resolve("a/b/status.json");
        DurableLocalFiles.writeAtomically(f, utf8("x"));
        assertThat(Files.readString(f)).isEqualTo("x");
    }

    @Test
    void aFailedReplaceLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child")); // a non-empty directory cannot be replaced by a file
        assertThatThrownBy(() -> DurableLocalFiles.writeAtomically(target, utf8("x"))).isInstanceOf(java.io.IOException.class);
        assertThat(target.resolve("child")).isDirectory();
        try (Stream<String> names = names()) {
            assertThat(names).containsExactly("occupied");
        }
    }

    @Test
    void createAtomicallyRefusesAnExistingFileAndChangesNothing() throws Exception {
        Path f = dir.resolve("shared-x.ref");
        DurableLocalFiles.createAtomically(f, utf8("first"), DurableLocalFiles.OWNER_ONLY);
        assertThatThrownBy(() -> DurableLocalFiles.createAtomically(f, utf8("second"), DurableLocalFiles.OWNER_ONLY))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(f)).isEqualTo("first");
        assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<String> names = names()) {
            assertThat(names).containsExactly("shared-x.ref");
        }
    }
}
