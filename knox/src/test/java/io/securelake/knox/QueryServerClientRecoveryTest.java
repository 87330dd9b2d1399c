package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.cookie.ClientCookie;
import org.apache.http.cookie.Cookie;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.entity.StringEntity;
import org.apache.http.impl.client.BasicCookieStore;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.cookie.BasicClientCookie;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The query server's restarts as Knox's client for it meets them ({@link QueryServerClientFactory#withRecovery}),
 * without Kerberos: a plain client with a cookie store plays Knox's, a local HTTP server plays the restarted query
 * server, which refuses the cookie of its previous life the way Hive's servlet does (HTTP 500, "Invalid sign").
 */
class QueryServerClientRecoveryTest {
    private static final String COOKIE = "hive.server2.auth";
    private static final String STALE = "cu=svc-knox-dev&rn=1&s=signedByThePreviousJvm";
    private static final String FRESH = "cu=svc-knox-dev&rn=2&s=signedByThisJvm";

    /** A request as the backend saw it. */
    record Seen(String cookie, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final BasicCookieStore store = new BasicCookieStore();
    private HttpServer backend;
    private CloseableHttpClient client;

    @BeforeEach
    void knoxsClientWithTheCookieOfThePreviousQueryServer() {
        BasicClientCookie stale = new BasicClientCookie(COOKIE, STALE);
        stale.setDomain("127.0.0.1");
        stale.setPath("/");
        stale.setAttribute(ClientCookie.DOMAIN_ATTR, "127.0.0.1");
        stale.setAttribute(ClientCookie.PATH_ATTR, "/");
        store.addCookie(stale);
        client = QueryServerClientFactory.withRecovery(HttpClients.custom().setDefaultCookieStore(store).disableContentCompression().build(),
                "HIVE");
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        if (backend != null) {
            backend.stop(0);
        }
    }

    @Test
    void aRefusedCookieIsDroppedAndTheRequestSentOnceMoreWithoutIt() throws Exception {
        startRestartedQueryServer();
        try (CloseableHttpResponse r = client.execute(post(new StringEntity("thrift-bytes", StandardCharsets.UTF_8)))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(200);
            assertThat(EntityUtils.toString(r.getEntity())).isEqualTo("thrift-answer");
        }
        assertThat(seen).containsExactly(new Seen(COOKIE + "=" + STALE, "thrift-bytes"),
                new Seen(null, "thrift-bytes"));
        assertThat(store.getCookies()).extracting(Cookie::getValue).containsExactly(FRESH);
    }

    /**
     * Knox turns its client's decompression off and passes the caller's {@code Accept-Encoding} on: a refusal page
     * sent gzipped to a caller that asks for it is read decoded.
     */
    @Test
    void aRefusedCookieWhosePageComesGzippedIsRecognisedToo() throws Exception {
        startBackend(ex -> {
            String cookie = ex.getRequestHeaders().getFirst("Cookie");
            if (cookie != null && cookie.contains(STALE)) {
                java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
                try (OutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
                    gz.write(SpnegoBackend.INVALID_SIGN_PAGE.getBytes(StandardCharsets.ISO_8859_1));
                }
                ex.getResponseHeaders().set("Content-Type", "text/html;charset=iso-8859-1");
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
                ex.sendResponseHeaders(500, zipped.size());
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(zipped.toByteArray());
                }
            } else {
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + FRESH + "; Path=/; HttpOnly");
                send(ex, 200, "thrift-answer");
            }
        });
        try (CloseableHttpResponse r = client.execute(post(new StringEntity("thrift-bytes", StandardCharsets.UTF_8)))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(200);
        }
        assertThat(seen).containsExactly(new Seen(COOKIE + "=" + STALE, "thrift-bytes"), new Seen(null, "thrift-bytes"));
        assertThat(store.getCookies()).extracting(Cookie::getValue).containsExactly(FRESH);
    }

    /**
     * The real query server's Jetty writes the reason only for a caller that accepts HTML; the Thrift client does
     * not, and gets an empty 500 (seen on the running stack). A probe that accepts HTML finds the refusal.
     */
    @Test
    void aRefusedCookieAnsweredWithAnEmptyPageIsFoundByAProbe() throws Exception {
        startBackend(ex -> {
            String cookie = ex.getRequestHeaders().getFirst("Cookie");
            String accept = ex.getRequestHeaders().getFirst("Accept");
            if (cookie != null && cookie.contains(STALE)) {
                send(ex, 500, accept != null && accept.contains("text/html") ? SpnegoBackend.INVALID_SIGN_PAGE : "");
            } else {
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + FRESH + "; Path=/; HttpOnly");
                send(ex, 200, "thrift-answer");
            }
        });
        try (CloseableHttpResponse r = client.execute(post(new StringEntity("thrift-bytes", StandardCharsets.UTF_8)))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(200);
            assertThat(EntityUtils.toString(r.getEntity())).isEqualTo("thrift-answer");
        }
        assertThat(seen).as("the request, the empty probe with the same cookie, the request again without it")
                .containsExactly(new Seen(COOKIE + "=" + STALE, "thrift-bytes"), new Seen(COOKIE + "=" + STALE, ""),
                        new Seen(null, "thrift-bytes"));
        assertThat(store.getCookies()).extracting(Cookie::getValue).containsExactly(FRESH);
    }

    /** A caller's own backend cookie never reaches the backend: only the gateway's, from its store. */
    @Test
    void aCookieTheCallerSendsIsNotPassedOnAsTheGatewaysOwn() throws Exception {
        store.clear();
        startBackend(ex -> send(ex, 200, "thrift-answer"));
        HttpPost forged = post(new StringEntity("thrift-bytes", StandardCharsets.UTF_8));
        forged.addHeader("Cookie", "other=1; " + COOKIE + "=forged-by-a-user");
        try (CloseableHttpResponse r = client.execute(forged)) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(200);
        }
        assertThat(seen).containsExactly(new Seen("other=1", "thrift-bytes"));
    }

    @Test
    void anEmpty500ThatTheProbeDoesNotExplainIsPassedOnAndNotRetried() throws Exception {
        startBackend(ex -> send(ex, 500, ""));
        try (CloseableHttpResponse r = client.execute(post(new StringEntity("thrift-bytes", StandardCharsets.UTF_8)))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(500);
        }
        assertThat(seen).extracting(Seen::body).containsExactly("thrift-bytes", "");
        assertThat(store.getCookies()).as("dropped all the same: the next request negotiates afresh").isEmpty();
    }

    @Test
    void aRefusedCookieOnABodyThatCannotBeSentTwiceAsksTheClientToReconnect() throws Exception {
        startRestartedQueryServer();
        InputStreamEntity once = new InputStreamEntity(new ByteArrayInputStream("thrift-bytes".getBytes(
                StandardCharsets.UTF_8)));
        try (CloseableHttpResponse r = client.execute(post(once))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(503);
            assertThat(EntityUtils.toString(r.getEntity())).contains("the query server (HIVE backend at 127.0.0.1:"
                    + port() + ")").contains("reconnect").doesNotContain("Invalid sign");
        }
        assertThat(seen).hasSize(1);
        assertThat(store.getCookies()).isEmpty();
    }

    @Test
    void anUnrelated500ReachesTheCallerUnchangedAndIsNotRetried() throws Exception {
        assertUnrelated500Unchanged("<html><body>HTTP ERROR 500 java.lang.NullPointerException</body></html>");
    }

    @Test
    void anUnrelated500LargerThanWhatIsReadReachesTheCallerUnchanged() throws Exception {
        assertUnrelated500Unchanged("<html>" + "x".repeat(3 * StaleCookieRecovery.PEEK_LIMIT) + "</html>");
    }

    @Test
    void aRefusalToARequestWithoutTheGatewaysCookieIsNotRetried() throws Exception {
        store.clear();
        startRestartedQueryServer();
        try (CloseableHttpResponse r = client.execute(post(new StringEntity("x", StandardCharsets.UTF_8)))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(200);
        }
        assertThat(seen).containsExactly(new Seen(null, "x"));
    }

    @Test
    void aQueryServerThatIsDownIsNamedInA503() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        try (CloseableHttpResponse r = client.execute(new HttpPost("http://127.0.0.1:" + closed + "/cliservice"))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(503);
            assertThat(r.getFirstHeader("Retry-After").getValue()).isEqualTo("5");
            assertThat(r.getEntity().getContentType().getValue()).startsWith("text/plain");
            assertThat(EntityUtils.toString(r.getEntity())).isEqualTo("the query server (HIVE backend at 127.0.0.1:"
                    + closed + ") is not reachable: it may be restarting; retry shortly\n");
        }
    }

    private void assertUnrelated500Unchanged(String page) throws Exception {
        startBackend(ex -> {
            ex.getResponseHeaders().add("X-Backend", "its own header");
            send(ex, 500, page);
        });
        try (CloseableHttpResponse r = client.execute(post(new StringEntity("thrift-bytes", StandardCharsets.UTF_8)))) {
            assertThat(r.getStatusLine().getStatusCode()).isEqualTo(500);
            assertThat(r.getFirstHeader("X-Backend").getValue()).isEqualTo("its own header");
            assertThat(r.getEntity().getContentType().getValue()).isEqualTo("text/html;charset=iso-8859-1");
            assertThat(EntityUtils.toByteArray(r.getEntity())).isEqualTo(page.getBytes(StandardCharsets.ISO_8859_1));
        }
        assertThat(seen).hasSize(1);
        // the next request negotiates afresh
        assertThat(store.getCookies()).isEmpty();
    }

    /** A query server started anew: it refuses the cookie of its previous life and hands out a new one. */
    private void startRestartedQueryServer() throws IOException {
        startBackend(ex -> {
            String cookie = ex.getRequestHeaders().getFirst("Cookie");
            if (cookie != null && cookie.contains(STALE)) {
                send(ex, 500, SpnegoBackend.INVALID_SIGN_PAGE);
            } else {
                ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + FRESH + "; Path=/; HttpOnly");
                send(ex, 200, "thrift-answer");
            }
        });
    }

    private interface Handler {
        void handle(HttpExchange ex) throws IOException;
    }

    private void startBackend(Handler handler) throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                seen.add(new Seen(ex.getRequestHeaders().getFirst("Cookie"), body));
                handler.handle(ex);
            }
        });
        backend.start();
    }

    private int port() {
        return backend.getAddress().getPort();
    }

    private HttpPost post(org.apache.http.HttpEntity entity) {
        HttpPost p = new HttpPost("http://127.0.0.1:" + port() + "/cliservice");
        p.setEntity(entity);
        return p;
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        ex.getResponseHeaders().set("Content-Type", status == 200 ? "application/x-thrift" : "text/html;charset=iso-8859-1");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
