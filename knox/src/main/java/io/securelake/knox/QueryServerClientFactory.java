package io.securelake.knox;

import java.util.function.Function;
import javax.servlet.FilterConfig;
import org.apache.http.HttpHost;
import org.apache.http.client.HttpClient;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.knox.gateway.dispatch.DefaultHttpClientFactory;
import org.apache.knox.gateway.dispatch.HttpClientFactory;

/**
 * Knox's HTTP client towards the query server, named in the HIVE service definition ({@code http-client-factory},
 * written by {@link KnoxGateway#useQueryServerClientForHive}). It is Knox's default client with three layers:
 * <ul>
 *   <li>{@link AsWrittenSpnegoClient} (Kerberos to the backends only): SPNEGO asks for {@code HTTP/127.0.0.1}, the
 *       query server's principal, not the {@code HTTP/localhost} a reverse lookup would give;</li>
 *   <li>{@link StaleCookieRecovery}: the query server signs its authentication cookie with a secret of its JVM, so
 *       after a restart it refuses the cookie Knox kept with an HTTP 500; the cookie is dropped and the request
 *       sent again, which negotiates SPNEGO afresh, instead of failing every later login;</li>
 *   <li>{@link UnreachableBackend}: while the query server is down the client gets a 503 naming it, not Knox's
 *       anonymous 500.</li>
 * </ul>
 */
public final class QueryServerClientFactory implements HttpClientFactory {
    /** Knox's switch for Kerberos to the backends (GatewayConfig.HADOOP_KERBEROS_SECURED). */
    static final String KERBEROS_SECURED = "gateway.hadoop.kerberos.secured";
    /** The dispatch filter's init parameter naming the service (HIVE), as Knox's own factory reads it. */
    static final String SERVICE_ROLE = "serviceRole";

    @Override
    public HttpClient createHttpClient(FilterConfig filterConfig) {
        HttpClient client = new DefaultHttpClientFactory().createHttpClient(filterConfig);
        if (!(client instanceof CloseableHttpClient closeable)) {
            // Fail closed: without the layers the gateway would ask for the wrong principal on every request.
            throw new IllegalStateException("Knox's HTTP client is a " + client.getClass().getName()
                    + ", not an Apache CloseableHttpClient: cannot wrap it for the query server");
        }
        CloseableHttpClient base = Boolean.parseBoolean(System.getProperty(KERBEROS_SECURED))
                ? new AsWrittenSpnegoClient(closeable)
                : closeable;
        return withRecovery(base, filterConfig.getInitParameter(SERVICE_ROLE));
    }

    /**
     * {@code client} with the query server's restarts handled: a stale authentication cookie is dropped and the
     * request retried, an unreachable query server answered with a 503. {@code role} is Knox's name of the service
     * (may be null), for the messages.
     */
    static CloseableHttpClient withRecovery(CloseableHttpClient client, String role) {
        Function<HttpHost, String> name = target -> describe(role, target);
        return new UnreachableBackend(new StaleCookieRecovery(client, name), name);
    }

    /** The query server in words, for the log and the client: "the query server (HIVE backend at host:port)". */
    static String describe(String role, HttpHost target) {
        return "the query server (" + (role == null ? "" : role + " ") + "backend at "
                + (target == null ? "an unknown address" : target.toHostString()) + ")";
    }
}
