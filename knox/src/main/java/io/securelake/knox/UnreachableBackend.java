package io.securelake.knox;

import java.io.IOException;
import java.net.ConnectException;
import java.util.function.Function;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.NoHttpResponseException;
import org.apache.http.client.ClientProtocolException;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns "the backend is not there" into a 503 that says so. Knox's dispatch answers any exception of its HTTP client
 * with an HTTP 500 and a generic message, which a JDBC user reads as "the gateway is broken"; while the query server
 * restarts, the truth is "not reachable, retry shortly". Covered: the connection refused or timed out
 * ({@link ConnectException}, which HttpClient's {@code HttpHostConnectException} is, and
 * {@link ConnectTimeoutException}), and the connection closed without an answer ({@link NoHttpResponseException}:
 * a backend going down mid-request, or a kept connection it closed when it stopped). The request is not retried: it
 * may have reached the backend.
 */
final class UnreachableBackend extends NamedBackendLayer {
    private static final Logger LOG = LoggerFactory.getLogger(UnreachableBackend.class);

    UnreachableBackend(CloseableHttpClient delegate, Function<HttpHost, String> backend) {
        super(delegate, backend);
    }

    @Override
    protected CloseableHttpResponse doExecute(HttpHost target, HttpRequest request, HttpContext context)
            throws IOException, ClientProtocolException {
        try {
            return delegate().execute(target, request, context);
        } catch (ConnectException | ConnectTimeoutException | NoHttpResponseException e) {
            String what = backend(target);
            LOG.warn("{} is not reachable ({}): answering 503", what, e.getClass().getSimpleName());
            return ServiceUnavailable.because(what + " is not reachable: it may be restarting; retry shortly");
        }
    }
}
