package io.securelake.devstack.kdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.kerberos.Jaas;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.kerberos.Krb5Conf;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.apache.kerby.kerberos.kerb.keytab.Keytab;
import org.apache.kerby.kerberos.kerb.keytab.KeytabEntry;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionType;
import org.apache.kerby.kerberos.kerb.type.base.PrincipalName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedKdcTest {

    private Path dir;
    private EmbeddedKdc kdc;

    @BeforeAll
    void start(@TempDir Path tmp) {
        dir = tmp;
        kdc = EmbeddedKdc.start(KdcSettings.localhost("EXAMPLE.COM", dir.resolve("kdc")));
    }

    @AfterAll
    void stop() {
        kdc.close();
    }

    @Test
    void startsOnAFreePortAndWritesKrb5Conf() throws IOException {
        assertThat(kdc.port()).isPositive();
        assertThat(kdc.realm()).isEqualTo("EXAMPLE.COM");
        assertThat(kdc.host()).isEqualTo("localhost");
        assertThat(kdc.krb5Conf()).isEqualTo(dir.resolve("kdc").resolve("krb5.conf").toAbsolutePath());
        String conf = Files.readString(kdc.krb5Conf());
        assertThat(conf)
                .contains("default_realm = EXAMPLE.COM")
                .contains("udp_preference_limit = 1")
                .contains("dns_lookup_kdc = false")
                .contains("dns_lookup_realm = false")
                .contains("rdns = false")
                .contains("dns_canonicalize_hostname = false")
                .contains("forwardable = true")
                .contains("ticket_lifetime = 10h")
                .contains("renew_lifetime = 7d")
                .contains("default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96")
                .contains("kdc = localhost:" + kdc.port())
                .contains("[domain_realm]\n    localhost = EXAMPLE.COM\n    .localhost = EXAMPLE.COM");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("localhost", kdc.port()), 2_000);
        }
    }

    @Test
    void startingLeavesTheJvmKrb5ConfAlone() {
        // Kerby sets java.security.krb5.conf to a file of its own during init; EmbeddedKdc must undo that.
        assertThat(System.getProperty(KerberosJvm.KRB5_CONF_PROPERTY)).isNull();
    }

    @Test
    void keytabHoldsOnlyItsPrincipalAndIsOwnerOnly() throws IOException {
        kdc.createPrincipal("svc-etl-dev");
        Path keytab = kdc.exportKeytab("svc-etl-dev", dir.resolve("keytabs/svc-etl-dev.keytab"));

        Keytab parsed = Keytab.loadKeytab(keytab.toFile());
        assertThat(parsed.getPrincipals()).extracting(PrincipalName::getName)
                .containsExactly("svc-etl-dev@EXAMPLE.COM")
                .noneMatch(p -> p.startsWith("krbtgt"));
        List<KeytabEntry> entries = parsed.getKeytabEntries(new PrincipalName("svc-etl-dev@EXAMPLE.COM"));
        assertThat(entries).extracting(e -> e.getKey().getKeyType())
                .containsExactlyInAnyOrder(EncryptionType.AES256_CTS_HMAC_SHA1_96, EncryptionType.AES128_CTS_HMAC_SHA1_96);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keytab))).isEqualTo("rw-------");
        // The KDC itself of course has more principals, krbtgt among them: they must not have leaked.
        assertThat(kdc.principals()).contains("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
        assertThat(dir.resolve("keytabs")).isDirectoryNotContaining(p -> !p.getFileName().toString().equals("svc-etl-dev.keytab"));
    }

    @Test
    void oneKeytabForSeveralPrincipalsHoldsExactlyThose() throws IOException {
        kdc.createPrincipal("hdfs/localhost");
        kdc.createPrincipal("HTTP/localhost@EXAMPLE.COM");
        Path keytab = kdc.exportKeytab(List.of("hdfs/localhost", "HTTP/localhost"), dir.resolve("hdfs.keytab"));
        assertThat(Keytab.loadKeytab(keytab.toFile()).getPrincipals()).extracting(PrincipalName::getName)
                .containsExactlyInAnyOrder("hdfs/localhost@EXAMPLE.COM", "HTTP/localhost@EXAMPLE.COM");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keytab))).isEqualTo("rw-------");
    }

    @Test
    void exportingAgainReplacesTheKeytabInsteadOfAppending() throws IOException {
        kdc.createPrincipal("kafka/localhost");
        Path keytab = dir.resolve("kafka.keytab");
        kdc.exportKeytab("kafka/localhost", keytab);
        kdc.exportKeytab("kafka/localhost", keytab);
        Keytab parsed = Keytab.loadKeytab(keytab.toFile());
        assertThat(parsed.getKeytabEntries(new PrincipalName("kafka/localhost@EXAMPLE.COM"))).hasSize(2);
    }

    @Test
    void principalMistakesAreReportedClearly() {
        kdc.createPrincipal("dup", "s3cret-pw");
        assertThat(kdc.principalExists("dup@EXAMPLE.COM")).isTrue();
        assertThatThrownBy(() -> kdc.createPrincipal("dup"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dup@EXAMPLE.COM already exists");
        assertThatThrownBy(() -> kdc.deletePrincipal("nobody"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nobody@EXAMPLE.COM does not exist");
        assertThatThrownBy(() -> kdc.exportKeytab("nobody", dir.resolve("nobody.keytab")))
                .hasMessageContaining("nobody@EXAMPLE.COM does not exist");
        assertThat(dir.resolve("nobody.keytab")).doesNotExist();
        assertThatThrownBy(() -> kdc.createPrincipal("x@OTHER.ORG"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not in realm EXAMPLE.COM");
        kdc.deletePrincipal("dup");
        assertThat(kdc.principalExists("dup")).isFalse();
    }

    @Test
    void qualifyAddsTheRealmOnlyWhenAbsent() {
        assertThat(kdc.qualify("kafka/localhost")).isEqualTo("kafka/localhost@EXAMPLE.COM");
        assertThat(kdc.qualify("svc-etl-dev@EXAMPLE.COM")).isEqualTo("svc-etl-dev@EXAMPLE.COM");
    }

    @Test
    void closeStopsTheKdcAndIsIdempotent(@TempDir Path other) {
        EmbeddedKdc second = EmbeddedKdc.start(KdcSettings.localhost("OTHER.ORG", other));
        int port = second.port();
        second.close();
        second.close();
        assertThatThrownBy(() -> connectToAListener(port)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("Connection refused");
    }

    /**
     * Connects to {@code port} on localhost. A port of the ephemeral range with nothing listening can still connect:
     * TCP joins a socket to itself when the local port it was given is the one it dials (a flake seen once in CI);
     * that is not a listener, so it tries again.
     */
    private static void connectToAListener(int port) throws java.io.IOException {
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("localhost", port), 2_000);
                if (s.getLocalPort() != port) {
                    return;
                }
            }
        }
    }

    @Test
    void settingsAreValidated() {
        Path p = dir;
        Duration h = Duration.ofHours(1);
        assertThatThrownBy(() -> new KdcSettings("example.com", "localhost", 0, h, h, p))
                .hasMessageContaining("upper case like EXAMPLE.COM");
        assertThatThrownBy(() -> new KdcSettings("EXAMPLE.COM", " ", 0, h, h, p)).hasMessageContaining("host");
        assertThatThrownBy(() -> new KdcSettings("EXAMPLE.COM", "localhost", 70000, h, h, p)).hasMessageContaining("port");
        assertThatThrownBy(() -> new KdcSettings("EXAMPLE.COM", "localhost", 0, Duration.ZERO, h, p))
                .hasMessageContaining("ticketLifetime");
        assertThatThrownBy(() -> new KdcSettings("EXAMPLE.COM", "localhost", 0, h, Duration.ofSeconds(-1), p))
                .hasMessageContaining("renewLifetime");
        assertThat(new KdcSettings("DEV.SECURELAKE.LOCAL", "localhost", 0, h, h, p).realm()).isEqualTo("DEV.SECURELAKE.LOCAL");
    }

    @Test
    void krb5ConfForARealKdcListsEveryKdc(@TempDir Path out) throws IOException {
        Krb5Conf conf = new Krb5Conf("CORP.EXAMPLE.COM", List.of("kdc1.corp.example.com:88", "kdc2.corp.example.com"),
                Duration.ofSeconds(90), Duration.ofMinutes(30));
        String text = conf.render();
        assertThat(text).contains("kdc = kdc1.corp.example.com:88\n        kdc = kdc2.corp.example.com\n")
                .contains("ticket_lifetime = 90s").contains("renew_lifetime = 30m")
                .contains("localhost = CORP.EXAMPLE.COM");
        Path written = conf.writeTo(out.resolve("etc/krb5.conf"));
        assertThat(written).hasContent(text.strip());
        assertThatThrownBy(() -> new Krb5Conf("CORP.EXAMPLE.COM", List.of(), Duration.ofHours(1), Duration.ofHours(1)))
                .hasMessageContaining("at least one KDC");
    }

    @Test
    void kafkaJaasLineQuotesAndEscapes() {
        assertThat(Jaas.keytabLoginModule("kafka/localhost@EXAMPLE.COM", Path.of("/etc/security/kafka.keytab")))
                .isEqualTo("com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true"
                        + " keyTab=\"/etc/security/kafka.keytab\" principal=\"kafka/localhost@EXAMPLE.COM\""
                        + " doNotPrompt=true refreshKrb5Config=true;");
        assertThat(Jaas.keytabLoginModule("p@R", Path.of("/tmp/we\"ird\\dir/k.keytab")))
                .contains("keyTab=\"/tmp/we\\\"ird\\\\dir/k.keytab\"");
    }
}
