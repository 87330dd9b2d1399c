package io.securelake.knox;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;
import org.apache.http.Header;
import org.apache.http.HttpEntityEnclosingRequest;
import org.apache.http.HttpHeaders;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.HttpStatus;
import org.apache.http.client.ClientProtocolException;
import org.apache.http.client.CookieStore;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.cookie.SM;
import org.apache.http.impl.client.BasicCookieStore;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers from an authentication cookie the backend no longer accepts.
 *
 * <p>Knox keeps the query server's signed cookie ({@code hive.server2.auth}) to spare a SPNEGO negotiation per
 * request. The query server signs it with a secret drawn at each start, so after a restart it cannot verify the
 * cookie: Hive's {@code CookieSigner} throws {@code IllegalArgumentException("Invalid sign")}, which leaves its
 * servlet as an HTTP 500 with an HTML stack trace. Knox would pass that on and send the same cookie forever. Here,
 * a 500 to a request that carried a backend authentication cookie drops the client's cookies (the store holds only
 * those), so the next request negotiates SPNEGO and gets a new cookie. The query server's Jetty writes the refusal
 * into the page only for a client that accepts HTML, and the Thrift client does not: its 500 comes with an empty
 * body. Then, and only then, one probe tells: an empty POST with the same cookie, accepting HTML, is refused before the backend
 * reads anything, with the reason on the page (a cookie it accepts makes the probe fail in Thrift instead, with no
 * effect). When the page or the probe says the cookie was refused,
 * the request is sent again once, without it; it cannot have run, since the backend refused it before reading it.
 * A request whose body cannot be sent twice gets a 503 asking the client to reconnect instead. Any other 500 is not
 * retried (the statement may have run) and reaches the caller unchanged.
 */
final class StaleCookieRecovery extends NamedBackendLayer {
    private static final Logger LOG = LoggerFactory.getLogger(StaleCookieRecovery.class);
    /** How much of a 500's body is read to look for the refusal: Jetty's error page is a few KiB. */
    static final int PEEK_LIMIT = 64 * 1024;
    /** CookieSigner's words for a cookie signed by another secret, and for one that is not signed at all. */
    private static final List<String> COOKIE_REFUSED = List.of("Invalid sign", "Invalid input sign");
    /** The backend authentication cookies Knox's HadoopAuthCookieStore keeps. */
    private static final List<String> AUTH_COOKIES = List.of("hive.server2.auth", "hadoop.auth", "impala.auth");

    StaleCookieRecovery(CloseableHttpClient delegate, Function<HttpHost, String> backend) {
        super(delegate, backend);
    }

    @Override
    protected CloseableHttpResponse doExecute(HttpHost target, HttpRequest request, HttpContext context)
            throws IOException, ClientProtocolException {
        HttpClientContext c = context == null ? HttpClientContext.create() : HttpClientContext.adapt(context);
        stripCallersAuthCookies(request);
        CloseableHttpResponse response = delegate().execute(target, request, c);
        if (response.getStatusLine().getStatusCode() != HttpStatus.SC_INTERNAL_SERVER_ERROR
                || !carriedAuthCookie(c.getRequest())) {
            return response;
        }
        // After execute the context holds the client's own store; it keeps only backend authentication cookies.
        CookieStore store = c.getCookieStore();
        if (store != null) {
            store.clear();
        }
        PeekedBody body;
        try {
            body = PeekedBody.of(response, PEEK_LIMIT);
        } catch (IOException | RuntimeException e) {
            response.close();
            throw e;
        }
        if (!refused(body) && !(body.isEmpty() && probeRefuses(target, request, c.getRequest()))) {
            LOG.warn("{} answered HTTP 500 to a request with the gateway's authentication cookie: cookie dropped, the "
                    + "next request negotiates SPNEGO afresh", backend(target));
            body.restore(response);
            return response;
        }
        response.close();
        if (!canSendAgain(request)) {
            LOG.warn("{} refused the gateway's authentication cookie (it restarted with a new signing secret): cookie "
                    + "dropped; the request's body cannot be sent again, the client is asked to reconnect",
                    backend(target));
            return ServiceUnavailable.because(backend(target) + " restarted and no longer knows the gateway's "
                    + "session: reconnect");
        }
        LOG.warn("{} refused the gateway's authentication cookie (it restarted with a new signing secret): cookie "
                + "dropped, sending the request once more to negotiate SPNEGO afresh", backend(target));
        return delegate().execute(target, request, c);
    }

    private static boolean refused(PeekedBody page) {
        return COOKIE_REFUSED.stream().anyMatch(page::contains);
    }

    /**
     * Whether the backend refuses the cookies {@code sent} carried, asked with an empty POST to the same path that
     * accepts HTML (so that its error page says why) and carries nothing else: no body, no other cookie.
     */
    private boolean probeRefuses(HttpHost target, HttpRequest original, HttpRequest sent) {
        HttpPost probe = new HttpPost(original.getRequestLine().getUri());
        probe.setHeader(HttpHeaders.ACCEPT, "text/html");
        for (Header h : sent.getHeaders(SM.COOKIE)) {
            probe.addHeader(h);
        }
        HttpClientContext probeContext = HttpClientContext.create();
        probeContext.setCookieStore(new BasicCookieStore()); // only the cookies copied above
        try (CloseableHttpResponse answer = delegate().execute(target, probe, probeContext)) {
            return answer.getStatusLine().getStatusCode() == HttpStatus.SC_INTERNAL_SERVER_ERROR
                    && refused(PeekedBody.of(answer, PEEK_LIMIT));
        } catch (IOException e) {
            return false; // cannot tell: the original answer is passed on, and the cookie is dropped anyway
        }
    }

    /**
     * Removes backend authentication cookies the caller sent (Knox passes a client's Cookie header on): the only such
     * cookie a backend may see is the gateway's own, from its store. Otherwise any user could make the gateway drop
     * its session for everyone, or present a cookie of their choosing to the backend.
     */
    static void stripCallersAuthCookies(HttpRequest request) {
        for (Header h : request.getHeaders(SM.COOKIE)) {
            List<String> kept = new java.util.ArrayList<>();
            for (String pair : h.getValue().split(";")) {
                if (!pair.isBlank() && !AUTH_COOKIES.contains(pair.split("=", 2)[0].trim())) {
                    kept.add(pair.trim());
                }
            }
            request.removeHeader(h);
            if (!kept.isEmpty()) {
                request.addHeader(SM.COOKIE, String.join("; ", kept));
            }
        }
    }

    /** Whether the request as sent (the client adds the cookies to its own copy) had a backend auth cookie. */
    private static boolean carriedAuthCookie(HttpRequest sent) {
        if (sent == null) {
            return false;
        }
        for (Header h : sent.getHeaders(SM.COOKIE)) {
            for (String pair : h.getValue().split(";")) {
                if (AUTH_COOKIES.contains(pair.split("=", 2)[0].trim())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean canSendAgain(HttpRequest request) {
        return !(request instanceof HttpEntityEnclosingRequest enclosing) || enclosing.getEntity() == null
                || enclosing.getEntity().isRepeatable();
    }
}
