package io.securelake.knox;

import java.io.IOException;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * A {@link CloseableHttpClient} that wraps another one: subclasses only change how a request is executed
 * ({@code doExecute}); the connection manager, the parameters and closing stay the wrapped client's, so the layers
 * around Knox's client ({@link QueryServerClientFactory}) can be stacked without repeating that plumbing.
 */
abstract class DelegatingHttpClient extends CloseableHttpClient {
    private final CloseableHttpClient delegate;

    DelegatingHttpClient(CloseableHttpClient delegate) {
        this.delegate = delegate;
    }

    /** The wrapped client, to execute the request with. */
    final CloseableHttpClient delegate() {
        return delegate;
    }

    @Override
    @SuppressWarnings("deprecation")
    public final org.apache.http.params.HttpParams getParams() {
        return delegate.getParams();
    }

    @Override
    @SuppressWarnings("deprecation")
    public final org.apache.http.conn.ClientConnectionManager getConnectionManager() {
        return delegate.getConnectionManager();
    }

    @Override
    public final void close() throws IOException {
        delegate.close();
    }
}
