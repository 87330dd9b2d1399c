package io.securelake.knox;

import java.io.IOException;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.auth.AuthSchemeProvider;
import org.apache.http.client.ClientProtocolException;
import org.apache.http.client.config.AuthSchemes;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.Lookup;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;

/**
 * Knox's client towards a backend dialled by address (the local query server at {@code 127.0.0.1}), with SPNEGO
 * naming the service after the host as written in the backend URL: {@code HTTP/127.0.0.1}.
 *
 * <p>Knox's own client resolves the host's canonical name first (HttpClient's {@code useCanonicalHostname}); a
 * reverse lookup of 127.0.0.1 gives {@code localhost}, so it would ask for {@code HTTP/localhost}, the principal of
 * the KMS and WebHDFS, which the query server must not hold. Everything else (TLS trust, timeouts, the gateway's
 * Kerberos login, the cookie store) is Knox's default client; only the authentication scheme registry of each
 * request is replaced.
 */
final class AsWrittenSpnegoClient extends DelegatingHttpClient {
    private final Lookup<AuthSchemeProvider> schemes = RegistryBuilder.<AuthSchemeProvider>create()
            .register(AuthSchemes.SPNEGO, context -> new AsWrittenSpnegoScheme()).build();

    AsWrittenSpnegoClient(CloseableHttpClient delegate) {
        super(delegate);
    }

    @Override
    protected CloseableHttpResponse doExecute(HttpHost target, HttpRequest request, HttpContext context)
            throws IOException, ClientProtocolException {
        HttpClientContext c = context == null ? HttpClientContext.create() : HttpClientContext.adapt(context);
        // The client only fills in its own registry when the context has none.
        c.setAuthSchemeRegistry(schemes);
        return delegate().execute(target, request, c);
    }
}
