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
import java.security.PrivilegedExceptionAction;
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
 * Hadoop's web endpoints do. It records who called (the Kerberos principal) and for whom ({@code doAs} /
 * {@code user.name}).
 */
final class SpnegoBackend implements AutoCloseable {
    private static final Oid SPNEGO = oid("1.3.6.1.5.5.2");
    private static final Oid KRB5 = oid("1.2.840.113554.1.2.2");

    /** One request as the backend saw it. */
    record Seen(String method, String path, Map<String, String> query, String kerberosPrincipal) {
        String asserted() {
            return query.getOrDefault("doAs", query.get("user.name"));
        }
    }

    private final HttpsServer server;
    private final Subject acceptor;
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
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getRequestBody().readAllBytes();
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
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), query, principal));
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/webhdfs/v1")) {
                send(ex, 200, "application/json", "{\"FileStatuses\":{\"FileStatus\":[]}}");
            } else {
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
    public void close() {
        server.stop(0);
    }
}
