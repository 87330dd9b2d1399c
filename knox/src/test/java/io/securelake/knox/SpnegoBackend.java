package io.securelake.knox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.securelake.kerberos.Jaas;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivilegedExceptionAction;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.security.auth.Subject;
import javax.security.auth.login.LoginContext;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.Oid;

/**
 * A stand-in for WebHDFS and the Thrift server's HTTP endpoint: HTTPS (its own certificate, which Knox must trust
 * through {@code truststore}) and, when {@code kerberos} is on, SPNEGO with the {@code HTTP/localhost} keytab, as
 * Hadoop's web endpoints do. It records who called (the Kerberos principal), how ({@link #SPNEGO_AUTH},
 * {@link #COOKIE_AUTH}, {@link #STALE_COOKIE}) and for whom ({@code doAs} / {@code user.name}).
 *
 * <p>Like Hive's servlet, the Thrift endpoint ({@code /cliservice}) hands out a cookie signed with a secret of this
 * server's life after a SPNEGO negotiation, accepts it instead of SPNEGO afterwards, and answers a cookie it did not
 * sign with Jetty's HTTP 500 page for {@code IllegalArgumentException: Invalid sign}. {@link #stopServing} and
 * {@link #startServing} restart it on the same port with a new secret.
 */
final class SpnegoBackend implements AutoCloseable {
    private static final Oid SPNEGO = oid("1.3.6.1.5.5.2");
    private static final Oid KRB5 = oid("1.2.840.113554.1.2.2");

    static final String SPNEGO_AUTH = "spnego";
    static final String COOKIE_AUTH = "cookie";
    static final String STALE_COOKIE = "stale cookie";
    static final String HIVE_COOKIE = "hive.server2.auth";

    /** What Jetty shows for the IllegalArgumentException of Hive's CookieSigner, stack trace included. */
    static final String INVALID_SIGN_PAGE = """
            <html>
            <head>
            <meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>
            <title>Error 500 java.lang.IllegalArgumentException: Invalid sign</title>
            </head>
            <body><h2>HTTP ERROR 500 java.lang.IllegalArgumentException: Invalid sign</h2>
            <table>
            <tr><th>URI:</th><td>/cliservice</td></tr>
            <tr><th>STATUS:</th><td>500</td></tr>
            <tr><th>MESSAGE:</th><td>java.lang.IllegalArgumentException: Invalid sign</td></tr>
            <tr><th>SERVLET:</th><td>org.apache.hive.service.cli.thrift.ThriftHttpServlet-1b7c8e2</td></tr>
            </table>
            <h3>Caused by:</h3><pre>java.lang.IllegalArgumentException: Invalid sign
            \tat org.apache.hive.service.CookieSigner.verifyAndExtract(CookieSigner.java:84)
            \tat org.apache.hive.service.cli.thrift.ThriftHttpServlet.getClientNameFromCookie(ThriftHttpServlet.java:232)
            \tat org.apache.hive.service.cli.thrift.ThriftHttpServlet.validateCookie(ThriftHttpServlet.java:293)
            \tat org.apache.hive.service.cli.thrift.ThriftHttpServlet.doPost(ThriftHttpServlet.java:139)
            </pre>
            </body>
            </html>
            """;

    /** One request as the backend saw it. */
    record Seen(String method, String path, Map<String, String> query, String kerberosPrincipal, String how) {
        String asserted() {
            return query.getOrDefault("doAs", query.get("user.name"));
        }
    }

    private final SSLContext ssl;
    private final Subject acceptor;
    private final int port;
    private HttpsServer server;
    /** The cookie-signing secret of this server's life (Hive draws one at each start). */
    private volatile byte[] secret;
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    SpnegoBackend(Path keystore, char[] password, String principal, Path keytab) throws Exception {
        if (principal != null) {
            LoginContext lc = new LoginContext("backend", null, null, Jaas.keytabConfiguration(principal, keytab, false));
            lc.login();
            acceptor = lc.getSubject();
        } else {
            acceptor = null;
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        port = serve(0);
    }

    int port() {
        return port;
    }

    /** The server goes away: its port refuses connections. */
    synchronized void stopServing() {
        server.stop(0);
    }

    /** The server is back on its port, with a new cookie-signing secret, as a restarted query server is. */
    synchronized void startServing() throws IOException {
        serve(port);
    }

    private synchronized int serve(int onPort) throws IOException {
        secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", this::handle);
        server.start();
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
            boolean thrift = ex.getRequestURI().getPath().startsWith("/cliservice");
            String cookie = thrift ? hiveCookie(ex.getRequestHeaders().getFirst("Cookie")) : null;
            if (cookie != null) {
                String principal = verified(cookie);
                Map<String, String> query = query(ex.getRequestURI().getRawQuery());
                seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), query, principal,
                        principal == null ? STALE_COOKIE : COOKIE_AUTH));
                if (principal == null) {
                    send(ex, 500, "text/html;charset=iso-8859-1", INVALID_SIGN_PAGE);
                } else {
                    send(ex, 200, "application/x-thrift", "");
                }
                return;
            }
            String principal = null;
            if (acceptor != null) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (auth == null || !auth.startsWith("Negotiate ")) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Negotiate");
                    send(ex, 401, "text/plain", "authentication required\n");
                    return;
                }
                try {
                    byte[] token = Base64.getDecoder().decode(auth.substring("Negotiate ".length()).strip());
                    String[] src = new String[1];
                    byte[] reply = Subject.doAs(acceptor, (PrivilegedExceptionAction<byte[]>) () -> {
                        GSSManager m = GSSManager.getInstance();
                        GSSCredential cred = m.createCredential(null, GSSCredential.INDEFINITE_LIFETIME,
                                new Oid[]{SPNEGO, KRB5}, GSSCredential.ACCEPT_ONLY);
                        GSSContext ctx = m.createContext(cred);
                        byte[] out = ctx.acceptSecContext(token, 0, token.length);
                        if (ctx.isEstablished()) {
                            src[0] = ctx.getSrcName().toString();
                        }
                        return out;
                    });
                    if (src[0] == null) {
                        send(ex, 401, "text/plain", "SPNEGO not established\n");
                        return;
                    }
                    principal = src[0];
                    if (reply != null) {
                        ex.getResponseHeaders().add("WWW-Authenticate",
                                "Negotiate " + Base64.getEncoder().encodeToString(reply));
                    }
                } catch (Exception e) {
                    send(ex, 403, "text/plain", "SPNEGO failed: " + e + "\n");
                    return;
                }
            }
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), query, principal, SPNEGO_AUTH));
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/webhdfs/v1")) {
                send(ex, 200, "application/json", "{\"FileStatuses\":{\"FileStatus\":[]}}");
            } else {
                if (thrift && principal != null) {
                    ex.getResponseHeaders().add("Set-Cookie", HIVE_COOKIE + "=" + signed("cu=" + principal + "&rn="
                            + System.nanoTime()) + "; Path=/; HttpOnly");
                }
                send(ex, 200, "application/x-thrift", "");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    private static String hiveCookie(String header) {
        if (header == null) {
            return null;
        }
        for (String pair : header.split(";")) {
            String p = pair.strip();
            if (p.startsWith(HIVE_COOKIE + "=")) {
                // Knox quotes the value (HadoopAuthCookieStore); the servlet container takes the quotes off
                String value = p.substring(HIVE_COOKIE.length() + 1);
                return value.length() > 1 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1)
                        : value;
            }
        }
        return null;
    }

    /** Hive's CookieSigner in short: {@code raw&s=<signature of raw with this life's secret>}. */
    private String signed(String raw) {
        return raw + "&s=" + signature(raw);
    }

    /** The principal a cookie names, or null when this server's secret did not sign it. */
    private String verified(String cookie) {
        int s = cookie.lastIndexOf("&s=");
        if (s < 0 || !cookie.substring(s + 3).equals(signature(cookie.substring(0, s)))) {
            return null;
        }
        String raw = cookie.substring(0, s);
        return raw.substring("cu=".length(), raw.indexOf('&'));
    }

    private String signature(String raw) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(raw.getBytes(StandardCharsets.UTF_8));
            sha.update(secret);
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static Oid oid(String s) {
        try {
            return new Oid(s);
        } catch (GSSException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        server.stop(0);
    }
}
