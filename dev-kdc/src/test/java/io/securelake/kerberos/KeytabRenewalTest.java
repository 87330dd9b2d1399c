package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.security.auth.Subject;
import javax.security.auth.login.LoginContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KDC issuing 8-second tickets: a renewing keytab login keeps authenticating past the first TGT's expiry, a
 * one-shot JAAS login does not.
 */
class KeytabRenewalTest {

    private static final Duration LIFETIME = Duration.ofSeconds(8);

    @Test
    void renewingLoginOutlivesItsFirstTicketWhileAOneShotLoginExpires(@TempDir Path dir) throws Exception {
        KdcSettings settings = KdcSettings.localhost("EXAMPLE.COM", dir).withLifetimes(LIFETIME, Duration.ofMinutes(1));
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings)) {
            KerberosJvm.useKrb5Conf(kdc.krb5Conf());
            kdc.createPrincipal("svc-etl-dev");
            kdc.createPrincipal("svc/localhost");
            Path clientKeytab = kdc.exportKeytab("svc-etl-dev", dir.resolve("client.keytab"));
            Path serviceKeytab = kdc.exportKeytab("svc/localhost", dir.resolve("svc.keytab"));
            String client = kdc.qualify("svc-etl-dev");

            LoginContext service = new LoginContext("svc", new Subject(), null,
                    Jaas.keytabConfiguration(kdc.qualify("svc/localhost"), serviceKeytab, false));
            service.login();
            LoginContext oneShot = new LoginContext("once", new Subject(), null,
                    Jaas.keytabConfiguration(client, clientKeytab, true));
            oneShot.login();

            try (KeytabLogin renewing = KeytabLogin.login(client, clientKeytab)) {
                Instant firstExpiry = renewing.ticketExpiry();
                Instant oneShotExpiry = KeytabLogin.tgt(oneShot.getSubject()).orElseThrow().getEndTime().toInstant();
                // The KDC honours the short lifetime (it caps what the client asks for).
                assertThat(Duration.between(Instant.now(), oneShotExpiry)).isLessThanOrEqualTo(LIFETIME);
                assertThat(Gss.handshake(oneShot.getSubject(), service.getSubject(), "svc", "localhost").clientName())
                        .isEqualTo(client);
                // An initiator credential taken now, used after expiry (what a long-lived client connection does).
                GSSManager manager = GSSManager.getInstance();
                GSSCredential heldCredential = Gss.as(oneShot.getSubject(), () -> manager.createCredential(
                        null, GSSCredential.DEFAULT_LIFETIME, Gss.KRB5, GSSCredential.INITIATE_ONLY));

                int handshakes = 0;
                // Waiting for wall-clock time to pass is the point of this test: tickets expire by the clock.
                while (Instant.now().isBefore(oneShotExpiry.plusMillis(1500))) {
                    assertThat(Gss.handshake(renewing.subject(), service.getSubject(), "svc", "localhost").clientName())
                            .isEqualTo(client);
                    handshakes++;
                    Thread.sleep(1000);
                }
                assertThat(Gss.handshake(renewing.subject(), service.getSubject(), "svc", "localhost").clientName())
                        .isEqualTo(client);

                assertThat(handshakes).isGreaterThanOrEqualTo(6);
                assertThat(renewing.renewalCount()).isGreaterThanOrEqualTo(1);
                assertThat(renewing.ticketExpiry()).isAfter(firstExpiry);
                assertThat(renewing.lastRenewalFailure()).isEmpty();

                // The one-shot login is now useless: the JDK drops the expired TGT and finds none.
                assertThatThrownBy(() -> Gss.handshake(oneShot.getSubject(), service.getSubject(), "svc", "localhost"))
                        .hasMessageContaining("Failed to find any Kerberos tgt")
                        .satisfies(e -> assertThat(KerberosDiagnostics.classify(e)).isEqualTo(KerberosProblem.NO_TICKET));
                // A credential held across expiry fails as expired.
                assertThatThrownBy(() -> Gss.as(oneShot.getSubject(), () -> {
                    GSSName target = manager.createName("svc@localhost", GSSName.NT_HOSTBASED_SERVICE);
                    return manager.createContext(target, Gss.KRB5, heldCredential, 0).initSecContext(new byte[0], 0, 0);
                })).hasMessageContaining("Ticket expired (32)")
                        .satisfies(e -> assertThat(KerberosDiagnostics.classify(e))
                                .isEqualTo(KerberosProblem.TICKET_EXPIRED));
            } finally {
                service.logout();
            }
        }
    }
}
