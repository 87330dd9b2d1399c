package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeoplePasswordsTest {
    private static final Environment DEV = ShippedEnvironments.load("dev");
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

    @Test
    void storedPasswordsAreReadAsTheyAreAndClearOnesAreRefused() throws Exception {
        // RFC 2307 {SSHA256}: base64(SHA-256(password ‖ salt) ‖ salt), as the platform writes it for the gateway
        byte[] salt = {1, 2, 3, 4, 5, 6, 7, 8};
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update("Alice-Chose-This".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] stored = java.nio.ByteBuffer.allocate(40).put(sha.digest(salt)).put(salt).array();
        Path f = dir.resolve("hashes.properties");
        Files.writeString(f, "alice={SSHA256}" + java.util.Base64.getEncoder().encodeToString(stored) + "\n");
        byte[] read = PeoplePasswords.readStored(f).get("alice");
        assertThat(org.apache.directory.api.ldap.model.password.PasswordUtil.compareCredentials(
                "Alice-Chose-This".getBytes(java.nio.charset.StandardCharsets.UTF_8), read)).isTrue();
        assertThat(new DirectoryLayout("dev").ldifWithStoredPasswords(DEV, DEV.people().stream()
                .collect(java.util.stream.Collectors.toMap(io.securelake.envs.Person::name, person -> read))))
                .doesNotContain("Alice-Chose-This");

        Files.writeString(f, "alice=Alice-Chose-This\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PeoplePasswords.readStored(f))
                .hasMessageContaining("'alice' is not a stored password").hasMessageNotContaining("Alice-Chose-This");
    }
}
