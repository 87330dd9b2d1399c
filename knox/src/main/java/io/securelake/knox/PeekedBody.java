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

    /** Whether the body has no bytes at all: the backend did not say why. */
    boolean isEmpty() {
        return head.length == 0 && rest == null;
    }

    /**
     * Whether the bytes read contain {@code text} (ASCII; the body's charset does not matter for it), once decoded:
     * Knox turns its client's decompression off and passes the caller's {@code Accept-Encoding} on, so the query
     * server's error page comes gzipped to a Hive JDBC driver that asks for it.
     */
    boolean contains(String text) {
        return new String(decodedHead(), StandardCharsets.ISO_8859_1).contains(text);
    }

    private byte[] decodedHead() {
        String encoding = entity == null || entity.getContentEncoding() == null ? ""
                : entity.getContentEncoding().getValue().trim().toLowerCase(java.util.Locale.ROOT);
        if (!encoding.equals("gzip") && !encoding.equals("x-gzip") && !encoding.equals("deflate")) {
            return head;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (InputStream in = encoding.equals("deflate")
                ? new java.util.zip.InflaterInputStream(new ByteArrayInputStream(head))
                : new java.util.zip.GZIPInputStream(new ByteArrayInputStream(head))) {
            byte[] buffer = new byte[8192];
            int n;
            // bounded like the read: a small compressed head must not expand without limit
            while ((n = in.read(buffer)) > 0 && out.size() < 4 * head.length + 65536) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // a head cut short, or not what its encoding says: look at what could be decoded
        }
        return out.toByteArray();
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
