package io.securelake.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.devstack.tls.TlsMaterial;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The liveness probe against a real TLS server (whose certificate this JVM does not trust), a silent one and a closed port. */
class ProbedProcessesTest {
    private static final Duration TIMEOUT = Duration.ofMillis(700);

    @TempDir
    Path dir;

    @Test
    void aServerThatAnswersTheHandshakeIsAliveEvenWithACertificateNobodyHereTrusts() throws Exception {
        TlsMaterial tls = TlsMaterial.ensure(dir, "dev");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            ks.load(in, tls.keystorePassword().toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, tls.keystorePassword().toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        try (SSLServerSocket listening = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 5,
                InetAddress.getLoopbackAddress())) {
            Thread accept = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) listening.accept()) {
                    s.startHandshake();
                } catch (java.io.IOException expected) {
                    // the probe does not trust the stack's CA and ends the handshake: that is its answer
                }
            });
            accept.start();
            assertThat(ProbedProcesses.answersTls(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    listening.getLocalPort()), Duration.ofSeconds(10))).isTrue(); // a cold JVM's first handshake is slow
            accept.join(5000);
        }
    }

    @Test
    void aServerThatAcceptsButNeverAnswersIsNot() throws Exception {
        // A listening socket nobody accepts from: the kernel completes the connection, as for a stopped process.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            assertThat(ProbedProcesses.answersTls(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    silent.getLocalPort()), TIMEOUT)).isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
        }
    }

    @Test
    void aClosedPortIsNot() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(ProbedProcesses.answersTls(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT)).isFalse();
    }
}
