package io.securelake.warehouse.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@code securelake query} prints when the gateway does not answer as hoped, with Hive's real JDBC driver
 * against a local HTTP server playing the gateway: never the truststore password the gateway's JDBC URL carries,
 * and the gateway's 503 (the query server restarting) or a refused connection (the gateway down) in words.
 */
class QueryFailureTest {
    private static final String SECRET = "ts-secret-7f3a";
    private HttpServer gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.stop(0);
        }
    }

    @Test
    void anUnexplainedFailurePrintsNeitherTheJdbcUrlNorItsTruststorePassword() throws Exception {
        Run r = query(url(gatewayAnswering(500, "<html>Error 500 java.lang.IllegalArgumentException: Invalid sign</html>")));
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).startsWith("query refused or failed for user alice: ").contains("HTTP Response code: 500")
                .doesNotContain(SECRET).doesNotContain("jdbc:hive2://").doesNotContain("sslTrustStore");
    }

    @Test
    void theGatewaysServiceUnavailableSaysTheQueryServerMayBeRestarting() throws Exception {
        Run r = query(url(gatewayAnswering(503, "the query server (HIVE backend at 127.0.0.1:1) is not reachable")));
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err.strip()).isEqualTo("query refused or failed for user alice: the query server of dev is not "
                + "reachable through the gateway right now (it may be restarting); try again in a moment");
    }

    @Test
    void aRefusedConnectionSaysTheGatewayIsNotReachable() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        Run r = query(url(closed));
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err.strip()).isEqualTo("query refused or failed for user alice: the gateway of dev is not "
                + "reachable (connection refused): is the stack running?");
    }

    @Test
    void passwordValuesAreRedactedWhereverTheyStand() {
        String text = QueryFailure.redact("Could not open client transport with JDBC Uri: jdbc:hive2://localhost:8443/;"
                + "ssl=true;sslTrustStore=/x/t.p12;trustStorePassword=" + SECRET + ";transportMode=http: refused; "
                + "retry with password=" + SECRET + " or keyStorePassword=" + SECRET + "&next=1");
        assertThat(text).doesNotContain(SECRET).doesNotContain("jdbc:hive2")
                .isEqualTo("Could not open client transport with JDBC Uri: <the gateway's JDBC URL>: refused; retry "
                        + "with password=<redacted> or keyStorePassword=<redacted>&next=1");
    }

    private record Run(int exitCode, String err) {
    }

    private static Run query(String url) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
             PrintStream out = new PrintStream(OutputStream.nullOutputStream())) {
            code = QueryClientMain.run(url, "alice", "alices-password", "SELECT 1", "dev", out, e);
        }
        return new Run(code, err.toString(StandardCharsets.UTF_8));
    }

    /** The gateway's JDBC URL as its ready file gives it (plain HTTP here), with the truststore password in it. */
    private static String url(int port) {
        return "jdbc:hive2://127.0.0.1:" + port + "/;ssl=false;sslTrustStore=/tmp/gateway-truststore.p12;"
                + "trustStorePassword=" + SECRET + ";transportMode=http;httpPath=gateway/dev/hive";
    }

    private int gatewayAnswering(int status, String body) throws IOException {
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain");
                ex.sendResponseHeaders(status, b.length);
                ex.getResponseBody().write(b);
            }
        });
        gateway.start();
        return gateway.getAddress().getPort();
    }
}
