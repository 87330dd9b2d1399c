package io.securelake.knox;

import io.securelake.envs.Environment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class PeoplePasswordsTest {
    private static final Environment DEV = TestEnvironments.load("dev");
    @TempDir
    Path dir;

    @Test
    void createdWithARandomPasswordPerPersonReadableByTheOwnerOnly() throws Exception {
        Path f = dir.resolve("secrets/people.properties");
        PeoplePasswords p = PeoplePasswords.loadOrCreate(f, DEV);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(p.asMap()).containsOnlyKeys("alice", "bob", "carol", "dave", "mallory");
        assertThat(p.asMap().values()).doesNotHaveDuplicates().allSatisfy(pw -> assertThat(pw).hasSize(20));
        assertThat(p.toString()).doesNotContain(p.passwordOf("alice"));
        // stable across restarts
        assertThat(PeoplePasswords.loadOrCreate(f, DEV).asMap()).isEqualTo(p.asMap());
    }

    @Test
    void keepsGivenPasswordsAndCompletesMissingOnes() throws Exception {
        Path f = dir.resolve("people.properties");
        Files.writeString(f, "alice=Alice-Chose-This\n");
        PeoplePasswords p = PeoplePasswords.loadOrCreate(f, DEV);
        assertThat(p.passwordOf("alice")).isEqualTo("Alice-Chose-This");
        assertThat(p.asMap()).containsKeys("bob", "mallory");
        assertThat(Files.readString(f)).contains("alice=Alice-Chose-This").contains("bob=");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }
}
