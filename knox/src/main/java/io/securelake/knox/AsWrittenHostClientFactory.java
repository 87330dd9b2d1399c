package io.securelake.knox;

import java.io.IOException;
import javax.servlet.FilterConfig;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.auth.AuthSchemeProvider;
import org.apache.http.client.ClientProtocolException;
import org.apache.http.client.HttpClient;
import org.apache.http.client.config.AuthSchemes;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.Lookup;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.impl.auth.SPNegoScheme;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;
import org.apache.knox.gateway.dispatch.DefaultHttpClientFactory;
import org.apache.knox.gateway.dispatch.HttpClientFactory;
import org.ietf.jgss.GSSException;

/**
 * Knox's HTTP client for a backend dialled by address (the local query server at {@code 127.0.0.1}), with SPNEGO
 * naming the service after the host as written in the backend URL: {@code HTTP/127.0.0.1}.
 *
 * <p>Knox's own client resolves the host's canonical name first (HttpClient's {@code useCanonicalHostname}); a
 * reverse lookup of 127.0.0.1 gives {@code localhost}, so it would ask for {@code HTTP/localhost}, the principal of
 * the KMS and WebHDFS, which the query server must not hold. Everything else (TLS trust, timeouts, the
 * gateway's Kerberos login) is Knox's default client; only the authentication scheme registry of each request
 * is replaced. Named in the HIVE service definition ({@code http-client-factory}).
 */
public final class AsWrittenHostClientFactory implements HttpClientFactory {
    /** Knox's switch for Kerberos to the backends (GatewayConfig.HADOOP_KERBEROS_SECURED). */
    static final String KERBEROS_SECURED = "gateway.hadoop.kerberos.secured";

    @Override
    public HttpClient createHttpClient(FilterConfig filterConfig) {
        HttpClient client = new DefaultHttpClientFactory().createHttpClient(filterConfig);
        if (!Boolean.parseBoolean(System.getProperty(KERBEROS_SECURED))) {
            return client;
        }
        if (!(client instanceof CloseableHttpClient closeable)) {
            // Fail closed: without the override the gateway would ask for the wrong principal on every request.
            throw new IllegalStateException("Knox's HTTP client is a " + client.getClass().getName()
                    + ", not an Apache CloseableHttpClient: cannot name the backend's principal as written");
        }
        return new AsWrittenSpnegoClient(closeable);
    }

    /** Delegates every request with a per-request SPNEGO scheme that does not canonicalise the host. */
    static final class AsWrittenSpnegoClient extends CloseableHttpClient {
        private final CloseableHttpClient delegate;
        private final Lookup<AuthSchemeProvider> schemes = RegistryBuilder.<AuthSchemeProvider>create()
                .register(AuthSchemes.SPNEGO, context -> new AsWrittenSpnegoScheme()).build();

        AsWrittenSpnegoClient(CloseableHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        protected CloseableHttpResponse doExecute(HttpHost target, HttpRequest request, HttpContext context)
                throws IOException, ClientProtocolException {
            HttpClientContext c = context == null ? HttpClientContext.create() : HttpClientContext.adapt(context);
            // The client only fills in its own registry when the context has none.
            c.setAuthSchemeRegistry(schemes);
            return delegate.execute(target, request, c);
        }

        @Override
        @SuppressWarnings("deprecation")
        public org.apache.http.params.HttpParams getParams() {
            return delegate.getParams();
        }

        @Override
        @SuppressWarnings("deprecation")
        public org.apache.http.conn.ClientConnectionManager getConnectionManager() {
            return delegate.getConnectionManager();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /**
     * SPNEGO without the port and without canonicalising the host; like Knox's own scheme, no two tokens are made
     * in the same nanosecond (the backend's replay cache would refuse the second authenticator).
     */
    static final class AsWrittenSpnegoScheme extends SPNegoScheme {
        private static long lastToken;

        AsWrittenSpnegoScheme() {
            super(true, false);
        }

        @Override
        protected byte[] generateToken(byte[] input, String authServer, org.apache.http.auth.Credentials credentials)
                throws GSSException {
            synchronized (AsWrittenSpnegoScheme.class) {
                long now = System.nanoTime();
                while (now == lastToken) {
                    Thread.onSpinWait();
                    now = System.nanoTime();
                }
                lastToken = now;
                return super.generateToken(input, authServer, credentials);
            }
        }
    }
}
