package io.securelake.knox;

import java.util.function.Function;
import org.apache.http.HttpHost;
import org.apache.http.impl.client.CloseableHttpClient;

/**
 * A layer around Knox's client that tells the log and the client which backend it speaks of ("the query server
 * (HIVE backend at 127.0.0.1:29778)"): the layers that answer for an unavailable backend share how it is named.
 */
abstract class NamedBackendLayer extends DelegatingHttpClient {
    private final Function<HttpHost, String> backend;

    /** {@code backend} names the backend at a target host. */
    NamedBackendLayer(CloseableHttpClient delegate, Function<HttpHost, String> backend) {
        super(delegate);
        this.backend = backend;
    }

    /** The backend at {@code target}, in words. */
    final String backend(HttpHost target) {
        return backend.apply(target);
    }
}
