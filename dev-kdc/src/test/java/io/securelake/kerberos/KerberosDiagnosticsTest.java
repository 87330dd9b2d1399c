package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Each problem provoked for real against the embedded KDC, then classified and explained. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KerberosDiagnosticsTest {

    private Path dir;
    private EmbeddedKdc kdc;
    private Path clientKeytab;
    private Path serviceKeytab;

    @BeforeAll
    void start(@TempDir Path tmp) {
        dir = tmp;
        kdc = EmbeddedKdc.start(KdcSettings.localhost("EXAMPLE.COM", dir.resolve("kdc")));
        KerberosJvm.useKrb5Conf(kdc.krb5Conf());
        kdc.createPrincipal("alice");
        kdc.createPrincipal("svc/localhost");
        clientKeytab = kdc.exportKeytab("alice", dir.resolve("alice.keytab"));
        serviceKeytab = kdc.exportKeytab("svc/localhost", dir.resolve("svc.keytab"));
    }

    @AfterAll
    void stop() {
        kdc.close();
    }

    private static Subject jaasLogin(String principal, Path keytab, boolean initiator) throws Exception {
        LoginContext lc = new LoginContext("t", new Subject(), null, Jaas.keytabConfiguration(principal, keytab, initiator));
        lc.login();
        return lc.getSubject();
    }

    @Test
    void noTicket() {
        Throwable e = catchThrowable(() -> Gss.initiate(new Subject(), "svc", "localhost"));
        assertThat(e).hasMessage("No valid credentials provided (Mechanism level: Failed to find any Kerberos tgt)");
        assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.NO_TICKET);
        assertThat(KerberosDiagnostics.explain(e))
                .startsWith("no Kerberos ticket: run kinit -kt <keytab> <principal>")
                .endsWith("[GSSException: No valid credentials provided (Mechanism level: Failed to find any Kerberos tgt)]");
    }

    @Test
    void noTicketCache() {
        Throwable e = catchThrowable(() -> new LoginContext("t", new Subject(), null,
                Jaas.ticketCacheConfiguration(dir.resolve("no-such-ccache"))).login());
        assertThat(e).hasMessageContaining("Unable to obtain Principal Name for authentication");
        assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.NO_TICKET);
    }

    @Test
    void staleClientKeytabAfterThePrincipalWasRecreated() throws Exception {
        kdc.createPrincipal("svc-stale");
        Path keytab = kdc.exportKeytab("svc-stale", dir.resolve("stale.keytab"));
        kdc.deletePrincipal("svc-stale");
        kdc.createPrincipal("svc-stale");

        Throwable raw = catchThrowable(() -> jaasLogin(kdc.qualify("svc-stale"), keytab, true));
        // Kerby reports the wrong key as (31) with e-text PREAUTH_FAILED; MIT would say (24).
        assertThat(raw).hasMessage("Integrity check on decrypted field failed (31) - PREAUTH_FAILED");
        assertThat(KerberosDiagnostics.classify(raw)).isEqualTo(KerberosProblem.PREAUTH_FAILED);

        // A keytab login involves no password: KeytabLogin knows the key itself is stale.
        assertThatThrownBy(() -> KeytabLogin.login(kdc.qualify("svc-stale"), keytab))
                .isInstanceOfSatisfying(KerberosLoginException.class,
                        e -> assertThat(e.problem()).isEqualTo(KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB))
                .hasMessageContaining("Kerberos login of svc-stale@EXAMPLE.COM with keytab " + keytab.toAbsolutePath())
                .hasMessageContaining("export a fresh keytab")
                .hasMessageContaining("(31) - PREAUTH_FAILED");
    }

    @Test
    void staleServiceKeytabAfterTheServicePrincipalWasRecreated() throws Exception {
        kdc.createPrincipal("kafka/localhost");
        Path staleKeytab = kdc.exportKeytab("kafka/localhost", dir.resolve("kafka.keytab"));
        kdc.deletePrincipal("kafka/localhost");
        kdc.createPrincipal("kafka/localhost");
        Subject broker = jaasLogin(kdc.qualify("kafka/localhost"), staleKeytab, false);
        Subject client = jaasLogin(kdc.qualify("alice"), clientKeytab, true);

        Throwable e = catchThrowable(() -> Gss.handshake(client, broker, "kafka", "localhost"));

        assertThat(e).hasMessage("Failure unspecified at GSS-API level (Mechanism level: Checksum failed)");
        assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB);
        assertThat(KerberosDiagnostics.explain(e)).startsWith("the keytab's key does not match the KDC");
    }

    @Test
    void wrongPassword() {
        kdc.createPrincipal("bob", "the-right-one");
        Throwable e = catchThrowable(() -> new LoginContext("t", new Subject(), callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof PasswordCallback p) {
                    p.setPassword("a-wrong-one".toCharArray());
                }
            }
        }, Jaas.configuration(Map.of("principal", "bob@EXAMPLE.COM"))).login());
        assertThat(e).hasMessage("Integrity check on decrypted field failed (31) - PREAUTH_FAILED");
        assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.PREAUTH_FAILED);
    }

    @Test
    void unknownClientPrincipal() {
        kdc.createPrincipal("svc-gone");
        Path keytab = kdc.exportKeytab("svc-gone", dir.resolve("gone.keytab"));
        kdc.deletePrincipal("svc-gone");

        Throwable raw = catchThrowable(() -> jaasLogin(kdc.qualify("svc-gone"), keytab, true));
        assertThat(raw).hasMessage("Client not found in Kerberos database (6) - Client not found in Kerberos database");
        assertThat(KerberosDiagnostics.classify(raw)).isEqualTo(KerberosProblem.UNKNOWN_CLIENT_PRINCIPAL);
        assertThatThrownBy(() -> KeytabLogin.login(kdc.qualify("svc-gone"), keytab))
                .isInstanceOfSatisfying(KerberosLoginException.class,
                        e -> assertThat(e.problem()).isEqualTo(KerberosProblem.UNKNOWN_CLIENT_PRINCIPAL))
                .hasMessageContaining("the KDC does not know this client principal");
    }

    @Test
    void unknownServicePrincipalBecauseTheClientDialledAnotherHostName() throws Exception {
        Subject client = jaasLogin(kdc.qualify("alice"), clientKeytab, true);
        Throwable e = catchThrowable(() -> Gss.initiate(client, "svc", "myhost.example.com"));
        assertThat(e).hasMessage("No valid credentials provided (Mechanism level: Server not found in Kerberos database"
                + " (7) - Server not found in Kerberos database)");
        assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.UNKNOWN_SERVICE_PRINCIPAL);
        assertThat(KerberosDiagnostics.explain(e)).contains("clients derive it from the host name they dial");
    }

    @Test
    void keytabWithoutThePrincipal() {
        assertThatThrownBy(() -> KeytabLogin.login(kdc.qualify("svc/localhost"), clientKeytab))
                .isInstanceOfSatisfying(KerberosLoginException.class,
                        e -> assertThat(e.problem()).isEqualTo(KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB))
                .hasMessageContaining("the keytab holds no key for principal svc/localhost@EXAMPLE.COM")
                .hasMessageContaining("Unable to obtain password from user");
        assertThatThrownBy(() -> KeytabLogin.login("alice", dir.resolve("missing.keytab")))
                .isInstanceOf(KerberosLoginException.class)
                .hasMessageContaining("missing.keytab does not exist or is not readable");
    }

    @Test
    void kdcUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path downConf = new Krb5Conf("EXAMPLE.COM", List.of("localhost:" + closedPort), Duration.ofHours(1),
                Duration.ofHours(2)).writeTo(dir.resolve("down/krb5.conf"));
        KerberosJvm.useKrb5Conf(downConf);
        try {
            Throwable raw = catchThrowable(() -> jaasLogin(kdc.qualify("alice"), clientKeytab, true));
            assertThat(raw).hasMessage("Connection refused").hasRootCauseInstanceOf(ConnectException.class);
            assertThat(KerberosDiagnostics.classify(raw)).isEqualTo(KerberosProblem.KDC_UNREACHABLE);
            assertThatThrownBy(() -> KeytabLogin.login(kdc.qualify("alice"), clientKeytab))
                    .isInstanceOfSatisfying(KerberosLoginException.class,
                            e -> assertThat(e.problem()).isEqualTo(KerberosProblem.KDC_UNREACHABLE))
                    .hasMessageContaining("no KDC answered");
        } finally {
            KerberosJvm.useKrb5Conf(kdc.krb5Conf());
        }
    }

    @Test
    void unrelatedErrorsAreNotBlamedOnKerberos() {
        // A refused connection to a broker (no Kerberos frames) is not an unreachable KDC.
        assertThat(KerberosDiagnostics.classify(new ConnectException("Connection refused")))
                .isEqualTo(KerberosProblem.UNKNOWN);
        assertThat(KerberosDiagnostics.classify(new IllegalStateException("boom"))).isEqualTo(KerberosProblem.UNKNOWN);
        assertThat(KerberosDiagnostics.classify(null)).isEqualTo(KerberosProblem.UNKNOWN);
        assertThat(KerberosDiagnostics.classify(new RuntimeException("wrapped",
                new KerberosLoginException(KerberosProblem.CLOCK_SKEW, "x", null)))).isEqualTo(KerberosProblem.UNKNOWN);
    }
}
