package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcExchange;
import io.securelake.devstack.kdc.KdcSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The KDC reports every ticket it grants or refuses, with who asked, for what, and why a refusal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KdcExchangeTest {
    private final List<KdcExchange> exchanges = new CopyOnWriteArrayList<>();
    private EmbeddedKdc kdc;
    private Path svcKeytab;

    @BeforeAll
    void start(@TempDir Path tmp) {
        kdc = EmbeddedKdc.start(KdcSettings.localhost("EXAMPLE.COM", tmp.resolve("kdc")), exchanges::add);
        KerberosJvm.useKrb5Conf(kdc.krb5Conf());
        kdc.createPrincipal("svc/localhost");
        svcKeytab = kdc.exportKeytab("svc/localhost", tmp.resolve("svc.keytab"));
        kdc.createPrincipal("alice", "correct horse battery staple");
    }

    @AfterAll
    void stop() {
        kdc.close();
    }

    @BeforeEach
    void clear() {
        exchanges.clear();
    }

    @Test
    void aLoginAndAServiceTicketAreReportedAsGranted() throws Exception {
        LoginContext alice = passwordLogin("alice", "correct horse battery staple");
        alice.login();
        try {
            LoginContext svc = new LoginContext("svc", new Subject(), null,
                    Jaas.keytabConfiguration(kdc.qualify("svc/localhost"), svcKeytab, false));
            svc.login();
            Gss.handshake(alice.getSubject(), svc.getSubject(), "svc", "localhost");
        } finally {
            alice.logout();
        }
        // Pre-authentication being asked for is a protocol step, not a decision: not reported.
        assertThat(exchanges).noneMatch(e -> !e.granted());
        assertThat(exchanges).anySatisfy(e -> {
            assertThat(e.kind()).isEqualTo(KdcExchange.Kind.AS);
            assertThat(e.client()).isEqualTo("alice@EXAMPLE.COM");
            assertThat(e.service()).isEqualTo("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
            assertThat(e.preauthenticated()).as("the JDK proves the key with an encrypted timestamp").isTrue();
            assertThat(e.clientAddress()).isEqualTo("127.0.0.1");
        });
        assertThat(exchanges).anySatisfy(e -> {
            assertThat(e.kind()).isEqualTo(KdcExchange.Kind.TGS);
            assertThat(e.client()).isEqualTo("alice@EXAMPLE.COM");
            assertThat(e.service()).isEqualTo("svc/localhost@EXAMPLE.COM");
        });
    }

    @Test
    void aWrongPasswordIsReportedAsRefusedWithTheReason() {
        assertThatThrownBy(() -> passwordLogin("alice", "wrong").login()).isInstanceOf(LoginException.class)
                .hasMessageStartingWith("Integrity check on decrypted field failed (31)");
        assertThat(exchanges).singleElement().satisfies(e -> {
            assertThat(e.granted()).isFalse();
            assertThat(e.kind()).isEqualTo(KdcExchange.Kind.AS);
            assertThat(e.client()).isEqualTo("alice@EXAMPLE.COM");
            assertThat(e.error()).contains("wrong password or key");
        });
    }

    @Test
    void anUnknownPrincipalIsReportedAsRefused() {
        assertThatThrownBy(() -> passwordLogin("mallory", "anything").login()).isInstanceOf(LoginException.class)
                .hasMessageStartingWith("Client not found in Kerberos database (6)");
        assertThat(exchanges).singleElement().satisfies(e -> {
            assertThat(e.granted()).isFalse();
            assertThat(e.client()).isEqualTo("mallory@EXAMPLE.COM");
            assertThat(e.error()).startsWith("KDC_ERR_C_PRINCIPAL_UNKNOWN");
        });
    }

    private LoginContext passwordLogin(String user, String password) throws LoginException {
        return new LoginContext(user, new Subject(), callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof NameCallback n) {
                    n.setName(user);
                } else if (cb instanceof PasswordCallback p) {
                    p.setPassword(password.toCharArray());
                }
            }
        }, Jaas.configuration(Map.of("principal", user + "@EXAMPLE.COM")));
    }
}
