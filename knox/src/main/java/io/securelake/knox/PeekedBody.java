package io.securelake.knox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.entity.BasicHttpEntity;
import org.apache.http.entity.ByteArrayEntity;

/**
 * The first bytes of a response body, read to decide what the backend said, and the response made whole again
 * afterwards ({@link #restore}) so that whoever reads it next gets the same bytes. Reading is bounded: a backend's
 * error page is a few KiB, and the gateway must not hold an arbitrary body in memory to look at it.
 */
final class PeekedBody {
    private final HttpEntity entity;
    private final byte[] head;
    /** The rest of the body after {@link #head}, or null when the head is all of it. */
    private final InputStream rest;

    private PeekedBody(HttpEntity entity, byte[] head, InputStream rest) {
        this.entity = entity;
        this.head = head;
        this.rest = rest;
    }

    /** Reads at most {@code limit} bytes of {@code response}'s body; call {@link #restore} to hand it on. */
    static PeekedBody of(HttpResponse response, int limit) throws IOException {
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            return new PeekedBody(null, new byte[0], null);
        }
        InputStream in = entity.getContent();
        byte[] head = in.readNBytes(limit);
        if (head.length < limit) {
            in.close();
            return new PeekedBody(entity, head, null);
        }
        return new PeekedBody(entity, head, in);
    }

    /** Whether the bytes read contain {@code text} (ASCII; the body's charset does not matter for it). */
    boolean contains(String text) {
        return new String(head, StandardCharsets.ISO_8859_1).contains(text);
    }

    /** Puts the body back on {@code response}: the bytes read, then whatever was not read. */
    void restore(HttpResponse response) {
        if (entity == null) {
            return;
        }
        if (rest == null) {
            ByteArrayEntity whole = new ByteArrayEntity(head);
            whole.setContentType(entity.getContentType());
            whole.setContentEncoding(entity.getContentEncoding());
            response.setEntity(whole);
            return;
        }
        BasicHttpEntity streamed = new BasicHttpEntity();
        streamed.setContent(new SequenceInputStream(new ByteArrayInputStream(head), rest));
        streamed.setContentLength(entity.getContentLength());
        streamed.setContentType(entity.getContentType());
        streamed.setContentEncoding(entity.getContentEncoding());
        streamed.setChunked(entity.isChunked());
        response.setEntity(streamed);
    }
}
