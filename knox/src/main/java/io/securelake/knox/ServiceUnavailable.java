package io.securelake.knox;

import java.nio.charset.StandardCharsets;
import org.apache.http.HttpHeaders;
import org.apache.http.HttpStatus;
import org.apache.http.HttpVersion;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.message.BasicHttpResponse;

/**
 * A 503 made by the gateway for a backend that cannot answer now (restarting, or its session with the gateway
 * lost): a response rather than an exception, because Knox's dispatch turns any exception of its HTTP client into
 * an anonymous HTTP 500, while a response reaches the client as it is. The body is one line of plain text for a
 * person; it must name what is unavailable and never carry a stack trace or a secret.
 */
final class ServiceUnavailable extends BasicHttpResponse implements CloseableHttpResponse {
    /** Seconds a client should wait before trying again: about what a query server restart takes to be noticed. */
    static final int RETRY_AFTER_SECONDS = 5;

    private ServiceUnavailable(String message) {
        super(HttpVersion.HTTP_1_1, HttpStatus.SC_SERVICE_UNAVAILABLE, "Service Unavailable");
        StringEntity body = new StringEntity(message + "\n", ContentType.create("text/plain", StandardCharsets.UTF_8));
        setEntity(body);
        addHeader(body.getContentType());
        addHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
    }

    /** A 503 whose body is {@code message}. */
    static CloseableHttpResponse because(String message) {
        return new ServiceUnavailable(message);
    }

    /** Nothing to release: no connection stands behind this response. */
    @Override
    public void close() {
    }
}
