package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayIdentityTest {

    @Test
    void aRestartKeepsTheCertificateSoClientsTruststoresStayValid(@TempDir Path state) throws Exception {
        Path dir = state.resolve("identity");
        Path truststore = state.resolve("gateway-truststore.p12");
        GatewayIdentity.Kept first = GatewayIdentity.loadOrCreate("dev", dir, truststore, state.resolve("knox1.p12"),
                "master-one".toCharArray(), Clock.systemUTC());
        GatewayIdentity.Kept second = GatewayIdentity.loadOrCreate("dev", dir, truststore, state.resolve("knox2.p12"),
                "master-two".toCharArray(), Clock.systemUTC());

        assertThat(first.reused()).isFalse();
        assertThat(second.reused()).isTrue();
        assertThat(second.identity().certificate()).isEqualTo(first.identity().certificate());
        assertThat(second.truststorePassword()).isEqualTo(first.truststorePassword());
        // Knox's keystore of each start opens with that start's master secret and holds the same key
        KeyStore knox2 = load(state.resolve("knox2.p12"), "master-two");
        assertThat(knox2.getCertificate(GatewayIdentity.KEY_ALIAS)).isEqualTo(first.identity().certificate());
        assertThat(knox2.getKey(GatewayIdentity.KEY_ALIAS, "master-two".toCharArray())).isNotNull();
        // the clients' truststore trusts exactly that certificate
        KeyStore trust = load(truststore, second.truststorePassword());
        assertThat(trust.size()).isEqualTo(1);
        assertThat(trust.getCertificate(trust.aliases().nextElement())).isEqualTo(first.identity().certificate());
    }

    @Test
    void aCertificateNearItsEndIsReplaced(@TempDir Path state) throws Exception {
        Path dir = state.resolve("identity");
        Path truststore = state.resolve("gateway-truststore.p12");
        GatewayIdentity.Kept first = GatewayIdentity.loadOrCreate("dev", dir, truststore, state.resolve("knox.p12"),
                "m".toCharArray(), Clock.systemUTC());
        X509Certificate cert = first.identity().certificate();
        Instant nearEnd = cert.getNotAfter().toInstant().minus(GatewayIdentity.RENEW_BEFORE).plus(Duration.ofDays(1));
        GatewayIdentity.Kept later = GatewayIdentity.loadOrCreate("dev", dir, truststore, state.resolve("knox.p12"),
                "m".toCharArray(), Clock.fixed(nearEnd, ZoneOffset.UTC));

        assertThat(later.reused()).isFalse();
        assertThat(later.identity().certificate()).isNotEqualTo(cert);
        KeyStore trust = load(truststore, later.truststorePassword());
        assertThat(trust.getCertificate(trust.aliases().nextElement())).isEqualTo(later.identity().certificate());
    }

    @Test
    void anUnreadableKeptIdentityIsReplacedNotFatal(@TempDir Path state) throws Exception {
        Path dir = state.resolve("identity");
        Path truststore = state.resolve("gateway-truststore.p12");
        GatewayIdentity.loadOrCreate("dev", dir, truststore, state.resolve("knox.p12"), "m".toCharArray(), Clock.systemUTC());
        Files.write(dir.resolve("identity.p12"), new byte[] {1, 2, 3});
        GatewayIdentity.Kept again = GatewayIdentity.loadOrCreate("dev", dir, truststore, state.resolve("knox.p12"),
                "m".toCharArray(), Clock.systemUTC());
        assertThat(again.reused()).isFalse();
        assertThat(load(state.resolve("knox.p12"), "m").getCertificate(GatewayIdentity.KEY_ALIAS))
                .isEqualTo(again.identity().certificate());
    }

    private static KeyStore load(Path file, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }
}
