package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import java.nio.file.Path;
import java.util.Map;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.login.LoginContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Real logins against the embedded KDC and real GSS-API contexts between an initiator and an acceptor. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GssAuthenticationTest {

    private Path dir;
    private EmbeddedKdc kdc;
    private Path svcKeytab;

    @BeforeAll
    void start(@TempDir Path tmp) {
        dir = tmp;
        kdc = EmbeddedKdc.start(KdcSettings.localhost("EXAMPLE.COM", dir.resolve("kdc")));
        KerberosJvm.useKrb5Conf(kdc.krb5Conf());
        kdc.createPrincipal("svc/localhost");
        svcKeytab = kdc.exportKeytab("svc/localhost", dir.resolve("svc.keytab"));
    }

    @AfterAll
    void stop() {
        kdc.close();
    }

    private Subject acceptor() throws Exception {
        LoginContext lc = new LoginContext("svc", new Subject(), null,
                Jaas.keytabConfiguration(kdc.qualify("svc/localhost"), svcKeytab, false));
        lc.login();
        return lc.getSubject();
    }

    @Test
    void keytabLoginAuthenticatesToAServiceWithItsOwnKeytab() throws Exception {
        kdc.createPrincipal("svc-etl-dev");
        Path keytab = kdc.exportKeytab("svc-etl-dev", dir.resolve("etl.keytab"));
        try (KeytabLogin login = KeytabLogin.login(kdc.qualify("svc-etl-dev"), keytab)) {
            assertThat(login.subject().getPrincipals(KerberosPrincipal.class))
                    .extracting(KerberosPrincipal::getName).containsExactly("svc-etl-dev@EXAMPLE.COM");
            assertThat(login.ticketExpiry()).isAfter(java.time.Instant.now().plusSeconds(9 * 3600));

            Gss.Result result = Gss.handshake(login.subject(), acceptor(), "svc", "localhost");

            assertThat(result.clientName()).isEqualTo("svc-etl-dev@EXAMPLE.COM");
            assertThat(result.message()).isEqualTo("hello from the client");
        }
    }

    @Test
    void doAsRunsAsTheLoggedInPrincipal() throws Exception {
        kdc.createPrincipal("svc-doas");
        Path keytab = kdc.exportKeytab("svc-doas", dir.resolve("doas.keytab"));
        try (KeytabLogin login = KeytabLogin.login("svc-doas", keytab)) { // default realm from krb5.conf
            // No Subject passed explicitly: JGSS must find the credentials because doAs put them in effect.
            byte[] token = login.doAs(() -> Gss.initiateAsCurrentSubject("svc", "localhost"));
            assertThat(token).isNotEmpty();
        }
    }

    @Test
    void closedLoginLeavesNoCredentials() throws Exception {
        kdc.createPrincipal("svc-closed");
        Path keytab = kdc.exportKeytab("svc-closed", dir.resolve("closed.keytab"));
        KeytabLogin login = KeytabLogin.login(kdc.qualify("svc-closed"), keytab);
        Subject subject = login.subject();
        login.close();
        assertThat(subject.getPrivateCredentials()).isEmpty();
        assertThatThrownBy(() -> Gss.initiate(subject, "svc", "localhost"))
                .satisfies(e -> assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.NO_TICKET));
        assertThatThrownBy(() -> login.doAs(() -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Kerberos login of " + kdc.qualify("svc-closed") + " is closed");
    }

    @Test
    void aPersonLogsInWithAPassword() throws Exception {
        kdc.createPrincipal("alice", "correct horse battery staple");
        LoginContext lc = new LoginContext("alice", new Subject(), callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof NameCallback n) {
                    n.setName("alice");
                } else if (cb instanceof PasswordCallback p) {
                    p.setPassword("correct horse battery staple".toCharArray());
                }
            }
        }, Jaas.configuration(Map.of("principal", "alice@EXAMPLE.COM")));
        lc.login();
        try {
            assertThat(Gss.handshake(lc.getSubject(), acceptor(), "svc", "localhost").clientName())
                    .isEqualTo("alice@EXAMPLE.COM");
        } finally {
            lc.logout();
        }
    }

    @Test
    void jvmCanBeSwitchedToAnotherKdcWithoutTheExportFlag(@TempDir Path other) throws Exception {
        // Surefire runs this module without --add-exports: the login-module route must do the refresh.
        assertThat(KerberosJvm.configClassExported()).isFalse();
        assertThatThrownBy(() -> KerberosJvm.refreshByReflection(kdc.krb5Conf()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(KerberosJvm.REQUIRED_FLAG);
        try (EmbeddedKdc second = EmbeddedKdc.start(KdcSettings.localhost("SIT.SECURELAKE.LOCAL", other))) {
            second.createPrincipal("bob");
            Path keytab = second.exportKeytab("bob", other.resolve("bob.keytab"));
            KerberosJvm.useKrb5Conf(second.krb5Conf());
            assertThat(KerberosJvm.defaultRealm()).isEqualTo("SIT.SECURELAKE.LOCAL");
            try (KeytabLogin bob = KeytabLogin.login("bob", keytab)) {
                assertThat(bob.ticketExpiry()).isAfter(java.time.Instant.now());
            }
            // Both KDCs run side by side: the first still serves its own realm (Kerby shares some settings
            // JVM-wide; EmbeddedKdc must not let the second KDC take over the first one's realm).
            KerberosJvm.useKrb5Conf(kdc.krb5Conf());
            kdc.createPrincipal("svc-side-by-side");
            Path first = kdc.exportKeytab("svc-side-by-side", other.resolve("first.keytab"));
            try (KeytabLogin login = KeytabLogin.login("svc-side-by-side", first)) {
                assertThat(Gss.handshake(login.subject(), acceptor(), "svc", "localhost").clientName())
                        .isEqualTo("svc-side-by-side@EXAMPLE.COM");
            }
        } finally {
            KerberosJvm.useKrb5Conf(kdc.krb5Conf());
        }
        assertThat(KerberosJvm.defaultRealm()).isEqualTo("EXAMPLE.COM");
        assertThat(KerberosJvm.krb5Conf()).contains(kdc.krb5Conf());
    }
}
