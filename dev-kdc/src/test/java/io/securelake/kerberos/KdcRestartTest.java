package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcExchange;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.devstack.kdc.RealmSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import javax.security.auth.login.LoginContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KDC stopped and started again on the same port and realm secret store is, to its clients and services, the same
 * KDC: keytabs exported by the first still log in, and a TGT the first issued gets service tickets from the second
 * (the krbtgt key was kept). Without the store the same restart breaks both, which shows the test can fail.
 */
class KdcRestartTest {
    private static final String CLIENT = "svc-etl-dev";

    @Test
    void keytabsAndTicketsOfTheFirstKdcStayValidWithTheSecond(@TempDir Path dir) throws Exception {
        KdcSettings settings = KdcSettings.localhost("EXAMPLE.COM", dir.resolve("kdc"));
        Path clientKeytab = dir.resolve("keytabs/etl.keytab");
        Path svcKeytab = dir.resolve("keytabs/svc.keytab");
        Path otherKeytab = dir.resolve("keytabs/other.keytab");
        Subject client;
        Subject svc;
        KdcSettings again;
        byte[] clientKeytabBytes;
        try (EmbeddedKdc first = EmbeddedKdc.start(settings, null, RealmSecrets.inWorkDir(settings))) {
            KerberosJvm.useKrb5Conf(first.krb5Conf());
            for (String p : List.of(CLIENT, "svc/localhost", "other/localhost")) {
                assertThat(first.ensurePrincipal(p)).isTrue();
            }
            first.exportKeytab(CLIENT, clientKeytab);
            first.exportKeytab("svc/localhost", svcKeytab);
            first.exportKeytab("other/localhost", otherKeytab);
            clientKeytabBytes = Files.readAllBytes(clientKeytab);
            client = login(first.qualify(CLIENT), clientKeytab, true); // the TGT, from the first KDC
            svc = login(first.qualify("svc/localhost"), svcKeytab, false);
            // A service ticket from the first KDC, kept in the client's Subject.
            assertThat(Gss.handshake(client, svc, "svc", "localhost").clientName()).isEqualTo("svc-etl-dev@EXAMPLE.COM");
            again = settings.withPort(first.port());
        }

        List<KdcExchange> seen = new CopyOnWriteArrayList<>();
        try (EmbeddedKdc second = EmbeddedKdc.start(again, seen::add, RealmSecrets.inWorkDir(again))) {
            KerberosJvm.useKrb5Conf(second.krb5Conf());
            for (String p : List.of(CLIENT, "svc/localhost", "other/localhost")) {
                assertThat(second.ensurePrincipal(p)).as("re-created from its stored secret: %s", p).isTrue();
            }
            // Same keys and key version: the keytabs on disk are what the second KDC would write, so none is rewritten.
            assertThat(second.exportKeytabIfChanged(CLIENT, clientKeytab)).isFalse();
            assertThat(second.exportKeytabIfChanged("svc/localhost", svcKeytab)).isFalse();
            assertThat(Files.readAllBytes(clientKeytab)).isEqualTo(clientKeytabBytes);

            // The TGT of the first KDC gets a ticket for a service it never asked for, from the second KDC.
            Subject other = login(second.qualify("other/localhost"), otherKeytab, false);
            assertThat(Gss.handshake(client, other, "other", "localhost").clientName())
                    .isEqualTo("svc-etl-dev@EXAMPLE.COM");
            assertThat(seen).as("no new login: the old TGT was used").noneMatch(e -> e.kind() == KdcExchange.Kind.AS);
            assertThat(seen).anySatisfy(e -> {
                assertThat(e.kind()).isEqualTo(KdcExchange.Kind.TGS);
                assertThat(e.granted()).isTrue();
                assertThat(e.client()).isEqualTo("svc-etl-dev@EXAMPLE.COM");
                assertThat(e.service()).isEqualTo("other/localhost@EXAMPLE.COM");
            });
            assertThat(client.getPrivateCredentials(KerberosTicket.class))
                    .filteredOn(t -> t.getServer().getName().startsWith("krbtgt/")).hasSize(1);

            // The service ticket from the first KDC is accepted by the service, keyed from the second KDC's export.
            Path svcFromSecond = second.exportKeytab("svc/localhost", dir.resolve("keytabs/svc-again.keytab"));
            Subject svcAgain = login(second.qualify("svc/localhost"), svcFromSecond, false);
            seen.clear();
            assertThat(Gss.handshake(client, svcAgain, "svc", "localhost").clientName())
                    .isEqualTo("svc-etl-dev@EXAMPLE.COM");
            assertThat(seen).as("the cached service ticket of the first KDC was used").isEmpty();

            // The keytab the first KDC exported still logs in (a new TGT, from the second KDC).
            try (KeytabLogin login = KeytabLogin.login(second.qualify(CLIENT), clientKeytab)) {
                assertThat(Gss.handshake(login.subject(), svc, "svc", "localhost").clientName())
                        .isEqualTo("svc-etl-dev@EXAMPLE.COM");
            }
        }
    }

    @Test
    void withoutTheStoreARestartedKdcRefusesTheOldTgtAndKeytabs(@TempDir Path dir) throws Exception {
        KdcSettings settings = KdcSettings.localhost("EXAMPLE.COM", dir.resolve("kdc"));
        Path clientKeytab = dir.resolve("etl.keytab");
        Subject client;
        KdcSettings again;
        try (EmbeddedKdc first = EmbeddedKdc.start(settings)) {
            KerberosJvm.useKrb5Conf(first.krb5Conf());
            first.createPrincipal(CLIENT);
            first.exportKeytab(CLIENT, clientKeytab);
            client = login(first.qualify(CLIENT), clientKeytab, true);
            again = settings.withPort(first.port());
        }
        try (EmbeddedKdc second = EmbeddedKdc.start(again)) {
            KerberosJvm.useKrb5Conf(second.krb5Conf());
            second.createPrincipal(CLIENT);
            second.createPrincipal("other/localhost");
            assertThatThrownBy(() -> Gss.initiate(client, "other", "localhost"))
                    .as("the new krbtgt key cannot read the old TGT")
                    .hasMessageContaining("Integrity check on decrypted field failed (31)");
            assertThatThrownBy(() -> KeytabLogin.login(second.qualify(CLIENT), clientKeytab))
                    .isInstanceOf(KerberosLoginException.class)
                    .satisfies(e -> assertThat(((KerberosLoginException) e).problem())
                            .isEqualTo(KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB));
        }
    }

    private static Subject login(String principal, Path keytab, boolean initiator) throws Exception {
        LoginContext lc = new LoginContext(principal, new Subject(), null,
                Jaas.keytabConfiguration(principal, keytab, initiator));
        lc.login();
        return lc.getSubject();
    }
}
