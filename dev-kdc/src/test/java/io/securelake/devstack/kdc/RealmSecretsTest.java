package io.securelake.devstack.kdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kerby.kerberos.kerb.keytab.Keytab;
import org.apache.kerby.kerberos.kerb.keytab.KeytabEntry;
import org.apache.kerby.kerberos.kerb.type.base.PrincipalName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The realm secret store: owner-only, secrets nowhere but in it, new principals stored, damage refused. */
class RealmSecretsTest {
    private static final String REALM = "EXAMPLE.COM";

    @TempDir
    Path dir;

    private KdcSettings settings() {
        return KdcSettings.localhost(REALM, dir.resolve("kdc"));
    }

    private Path storeFile() {
        return dir.resolve("kdc").resolve(RealmSecrets.FILE_NAME);
    }

    @Test
    void theStoreIsOwnerOnlyAndItsSecretsAppearInNoLogMessageOrToString() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        List<String> messages = new java.util.ArrayList<>();
        RealmSecrets secrets;
        // slf4j-simple (and Kerby's own println) write to whatever System.err/out are at the time.
        try (PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setErr(tee);
            System.setOut(tee);
            secrets = RealmSecrets.inWorkDir(settings());
            try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, secrets)) {
                kdc.ensurePrincipal("svc/localhost");
                kdc.ensurePrincipal("svc-etl-dev");
                kdc.exportKeytabIfChanged("svc/localhost", dir.resolve("svc.keytab"));
                kdc.createPrincipal("random");
                messages.add(catchMessage(() -> kdc.ensurePrincipal("random")));
                messages.add(secrets.toString());
                messages.add(kdc.toString());
            }
            // A damaged store's messages name the file, never what is in it.
            byte[] good = Files.readAllBytes(storeFile());
            Files.writeString(storeFile(), new String(good, StandardCharsets.UTF_8).replace("secret.svc-etl-dev", "x"));
            messages.add(catchMessage(() -> RealmSecrets.inWorkDir(settings())));
            Files.writeString(storeFile(), new String(good, StandardCharsets.UTF_8).replace("=", ""));
            messages.add(catchMessage(() -> RealmSecrets.inWorkDir(settings())));
            Files.write(storeFile(), good);
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).contains("new secret for svc/localhost@EXAMPLE.COM"); // the capture did capture

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(storeFile()))).isEqualTo("rw-------");
        Path lock = storeFile().resolveSibling(RealmSecrets.FILE_NAME + ".lock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock))).isEqualTo("rw-------");
        Set<String> stored = storedSecrets();
        assertThat(secrets.principals()).containsExactlyInAnyOrder("krbtgt/EXAMPLE.COM@EXAMPLE.COM",
                "kadmin/EXAMPLE.COM@EXAMPLE.COM", "svc/localhost@EXAMPLE.COM", "svc-etl-dev@EXAMPLE.COM");
        assertThat(stored).hasSize(4);
        for (String secret : stored) {
            assertThat(Base64.getUrlDecoder().decode(secret)).hasSizeGreaterThanOrEqualTo(32);
            assertThat(logs).doesNotContain(secret);
            assertThat(messages).noneMatch(m -> m.contains(secret));
        }
        assertThat(messages).hasSize(5).allSatisfy(m -> assertThat(m).isNotBlank());
    }

    @Test
    void aPrincipalAbsentFromTheStoreGetsAFreshSecretThatIsStoredAndKept() throws Exception {
        RealmSecrets secrets = RealmSecrets.inWorkDir(settings());
        assertThat(Files.exists(storeFile())).as("opening writes nothing").isFalse();
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, secrets)) {
            assertThat(secrets.contains("svc-new")).isFalse();
            assertThat(kdc.ensurePrincipal("svc-new")).isTrue();
            assertThat(secrets.contains("svc-new@EXAMPLE.COM")).isTrue();
            assertThat(kdc.ensurePrincipal("svc-new")).as("idempotent").isFalse();
            assertThat(kdc.ensurePrincipal("svc-other")).isTrue();
            kdc.exportKeytab("svc-new", dir.resolve("new.keytab"));
        }
        RealmSecrets reopened = RealmSecrets.inWorkDir(settings());
        assertThat(reopened.secretOf("svc-new")).isEqualTo(secrets.secretOf("svc-new"))
                .isNotEqualTo(reopened.secretOf("svc-other"));
        assertThat(storedSecrets()).hasSize(4).doesNotHaveDuplicates();
        // Key version 1, as at the first creation: keytabs and tickets carry it.
        assertThat(entries(dir.resolve("new.keytab"), "svc-new@EXAMPLE.COM"))
                .extracting(KeytabEntry::getKvno).containsOnly(1);
        try (EmbeddedKdc again = EmbeddedKdc.start(settings(), null, reopened)) {
            again.ensurePrincipal("svc-new");
            again.exportKeytab("svc-new", dir.resolve("again.keytab"));
        }
        assertThat(keys(dir.resolve("again.keytab"), "svc-new@EXAMPLE.COM"))
                .isEqualTo(keys(dir.resolve("new.keytab"), "svc-new@EXAMPLE.COM")).hasSize(2);
    }

    @Test
    void aDamagedStoreIsRefusedNamingTheFileAndLeftAsItWas() throws Exception {
        RealmSecrets secrets = RealmSecrets.inWorkDir(settings());
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, secrets)) {
            kdc.ensurePrincipal("svc/localhost");
        }
        String good = Files.readString(storeFile());
        String secret = secrets.secretOf("svc/localhost");
        List<UnaryOperator<String>> damages = List.of(
                s -> "",                                                    // emptied
                s -> s.substring(0, s.length() / 2),                        // truncated
                s -> s.substring(0, s.lastIndexOf('\n', s.length() - 2) + 1), // last entry lost
                s -> s.replace(secret, flip(secret)),                       // one character of a secret changed
                s -> s.replace("svc/localhost@", "svc/otherhost@"),         // a principal renamed
                s -> s + "secret.added@EXAMPLE.COM=" + secret + "\n",        // an entry added by hand
                s -> s.replace("realm=EXAMPLE.COM", "realm=OTHER.ORG"),     // another realm's store
                s -> s.replace("format=1", "format=2"),                     // a format this code does not know
                s -> "\u0000\u00ff binary garbage \\u12");                  // not a properties file
        for (UnaryOperator<String> damage : damages) {
            String damaged = damage.apply(good);
            Files.writeString(storeFile(), damaged);
            assertThatThrownBy(() -> RealmSecrets.inWorkDir(settings()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Realm secret store " + storeFile().toAbsolutePath())
                    .hasMessageContaining("refusing to use it")
                    .hasMessageNotContaining(secret)
                    .hasMessageNotContaining(flip(secret));
            assertThat(Files.readString(storeFile())).as("not rewritten").isEqualTo(damaged);
        }
        // Damaged after the KDC opened it: the next principal is refused too, rather than given a secret.
        Files.writeString(storeFile(), good);
        RealmSecrets open = RealmSecrets.inWorkDir(settings());
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, open)) {
            Files.writeString(storeFile(), good.replace(secret, flip(secret)));
            assertThatThrownBy(() -> kdc.ensurePrincipal("svc-late"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(storeFile().toAbsolutePath().toString())
                    .hasMessageContaining("checksum");
            assertThat(kdc.principalExists("svc-late")).isFalse();
        }
    }

    @Test
    void anUnreadableStoreIsRefused() throws IOException {
        // Tests may run as root, who reads any file whatever its mode: a directory in its place cannot be read.
        Files.createDirectories(storeFile());
        assertThatThrownBy(() -> RealmSecrets.inWorkDir(settings()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("Cannot read the realm secret store " + storeFile().toAbsolutePath())
                .hasMessageContaining("refusing to use it");
        assertThat(storeFile()).isEmptyDirectory();
    }

    @Test
    void aLooseStoreIsMadeOwnerOnlyWhenOpened() throws IOException {
        RealmSecrets.inWorkDir(settings()).secretOf("svc");
        Files.setPosixFilePermissions(storeFile(), PosixFilePermissions.fromString("rw-r--r--"));
        RealmSecrets.inWorkDir(settings());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(storeFile()))).isEqualTo("rw-------");
    }

    @Test
    void aStoreOfAnotherRealmIsRefusedByTheKdc() {
        RealmSecrets other = RealmSecrets.open(dir.resolve("other.properties"), "OTHER.ORG");
        assertThatThrownBy(() -> EmbeddedKdc.start(settings(), null, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is of realm OTHER.ORG, the KDC's realm is EXAMPLE.COM");
        assertThatThrownBy(() -> RealmSecrets.open(dir.resolve("x"), "example.com"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> other.secretOf("svc@EXAMPLE.COM"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in realm OTHER.ORG");
    }

    @Test
    void ensureRefusesAPrincipalWithOtherKeysAndAKdcWithoutStore() {
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, RealmSecrets.inWorkDir(settings()))) {
            kdc.createPrincipal("svc-random");
            assertThatThrownBy(() -> kdc.ensurePrincipal("svc-random"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("principal svc-random@EXAMPLE.COM exists in the KDC of realm EXAMPLE.COM with"
                            + " keys that are not those of its secret in " + storeFile().toAbsolutePath());
        }
        try (EmbeddedKdc kdc = EmbeddedKdc.start(KdcSettings.localhost(REALM, dir.resolve("plain")))) {
            assertThatThrownBy(() -> kdc.ensurePrincipal("svc"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was started without a realm secret store");
        }
    }

    @Test
    void aDeletedPrincipalLosesItsSecretSoItsOldKeytabsStayDead() throws Exception {
        RealmSecrets secrets = RealmSecrets.inWorkDir(settings());
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, secrets)) {
            kdc.ensurePrincipal("svc-gone");
            kdc.exportKeytab("svc-gone", dir.resolve("before.keytab"));
            kdc.deletePrincipal("svc-gone");
            assertThat(secrets.contains("svc-gone")).isFalse();
            assertThat(kdc.ensurePrincipal("svc-gone")).isTrue();
            assertThat(kdc.exportKeytabIfChanged("svc-gone", dir.resolve("before.keytab"))).isTrue();
        }
    }

    @Test
    void aKeytabIsWrittenOnlyWhenMissingOrDifferent() throws Exception {
        Path keytab = dir.resolve("keytabs/svc.keytab");
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings(), null, RealmSecrets.inWorkDir(settings()))) {
            kdc.ensurePrincipal("svc/localhost");
            kdc.ensurePrincipal("svc-etl-dev");
            assertThat(kdc.exportKeytabIfChanged("svc/localhost", keytab)).as("missing").isTrue();
            byte[] first = Files.readAllBytes(keytab);
            Files.setPosixFilePermissions(keytab, PosixFilePermissions.fromString("rw-r-----"));
            // Kerby stamps every entry with the export time: same keys, other bytes, still no rewrite.
            assertThat(kdc.exportKeytabIfChanged("svc/localhost", keytab)).as("same keys").isFalse();
            assertThat(Files.readAllBytes(keytab)).isEqualTo(first);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keytab))).isEqualTo("rw-------");
            assertThat(kdc.exportKeytabIfChanged(List.of("svc/localhost", "svc-etl-dev"), keytab))
                    .as("another principal too").isTrue();
            assertThat(kdc.exportKeytabIfChanged("svc/localhost", keytab)).as("one fewer").isTrue();
            Files.writeString(keytab, "not a keytab");
            assertThat(kdc.exportKeytabIfChanged("svc/localhost", keytab)).as("unreadable").isTrue();
            assertThat(keys(keytab, "svc/localhost@EXAMPLE.COM")).isEqualTo(keysOf(first, "svc/localhost@EXAMPLE.COM"));
        }
    }

    private Set<String> storedSecrets() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(storeFile())));
        return p.stringPropertyNames().stream().filter(k -> k.startsWith("secret.")).map(p::getProperty)
                .collect(Collectors.toSet());
    }

    private static String catchMessage(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a failure");
    }

    private static String flip(String s) {
        char c = s.charAt(5);
        return s.substring(0, 5) + (c == 'A' ? 'B' : 'A') + s.substring(6);
    }

    private static List<KeytabEntry> entries(Path keytab, String principal) throws IOException {
        return Keytab.loadKeytab(keytab.toFile()).getKeytabEntries(new PrincipalName(principal));
    }

    private static Set<String> keys(Path keytab, String principal) throws IOException {
        return keysOf(Files.readAllBytes(keytab), principal);
    }

    private static Set<String> keysOf(byte[] keytab, String principal) throws IOException {
        return Keytab.loadKeytab(new java.io.ByteArrayInputStream(keytab)).getKeytabEntries(new PrincipalName(principal))
                .stream()
                .map(e -> e.getKvno() + "/" + e.getKey().getKeyType() + "/"
                        + java.util.HexFormat.of().formatHex(e.getKey().getKeyData()))
                .collect(Collectors.toSet());
    }
}
