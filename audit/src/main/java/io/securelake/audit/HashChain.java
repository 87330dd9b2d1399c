package io.securelake.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The line format of the trail: {@code {"seq":n,"prev":"<hex>","hash":"<hex>","record":{…}}}.
 * {@code hash = SHA-256(prev "\n" seq "\n" canonical(record))}, where canonical is Jackson's compact
 * rendering of the record's JSON tree, so the verifier can recompute it from the parsed line.
 * The first line of the first file starts from {@link #GENESIS}; a new day's file continues from the
 * last hash of the previous file, so a deleted, reordered or edited line or file breaks the chain.
 * <p>
 * Writers do not go through Jackson: {@link CanonicalJson} renders the same bytes directly and
 * {@link Writer} hashes exactly the bytes it writes, with one reused digest.
 */
final class HashChain {
    static final String GENESIS = "0".repeat(64);

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(HashChain::newSha256);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREV = ",\"prev\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD = "\",\"record\":".getBytes(StandardCharsets.US_ASCII);

    private HashChain() {
    }

    /** The hash of one line, from its parts as strings (the verifier's side). */
    static String hash(String prev, long seq, String canonicalRecord) {
        MessageDigest sha = SHA256.get();
        sha.reset();
        sha.update(prev.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        sha.update(Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        sha.update(canonicalRecord.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    static String canonical(JsonNode record) throws JsonProcessingException {
        return AuditJson.MAPPER.writeValueAsString(record);
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /**
     * One chain's writing end: the head (last hash and seq) and a reused digest. Appends whole lines
     * (newline included) for records already rendered canonically, hashing exactly the record bytes it
     * writes. Not thread-safe; {@link JsonLinesAuditSink} holds one per open file.
     */
    static final class Writer {
        private final MessageDigest sha = newSha256();
        private final byte[] digest = new byte[32];
        /** The head hash as hashed (US-ASCII) and as written (a JSON string literal). */
        private byte[] headAscii = new byte[64];
        private int headAsciiLen;
        private final ByteBuf headJson = new ByteBuf(80);
        private final ByteBuf seqDigits = new ByteBuf(24);
        private long seq;

        Writer(String head, long seq) {
            reset(head, seq);
        }

        /** Continues the chain from {@code head} (a hash as found on disk) after line {@code seq}. */
        void reset(String head, long seq) {
            this.seq = seq;
            headAscii = head.getBytes(StandardCharsets.US_ASCII);
            headAsciiLen = headAscii.length;
            headJson.reset();
            CanonicalJson.string(head, headJson);
        }

        long seq() {
            return seq;
        }

        String head() {
            return new String(headAscii, 0, headAsciiLen, StandardCharsets.US_ASCII);
        }

        /** Appends the line {@code {"seq":…,"prev":…,"hash":…,"record":<canonical>}\n} and advances the head. */
        void append(byte[] canonical, int off, int len, ByteBuf out) {
            long next = seq + 1;
            seqDigits.reset();
            seqDigits.putLong(next);
            sha.update(headAscii, 0, headAsciiLen);
            sha.update((byte) '\n');
            sha.update(seqDigits.buf, 0, seqDigits.len);
            sha.update((byte) '\n');
            sha.update(canonical, off, len);
            try {
                sha.digest(digest, 0, 32);
            } catch (DigestException e) {
                throw new IllegalStateException("SHA-256 digest into a 32-byte buffer", e);
            }
            out.ensure(SEQ.length + seqDigits.len + PREV.length + headJson.len + HASH.length + 64
                    + RECORD.length + len + 2);
            out.put(SEQ);
            out.put(seqDigits.buf, 0, seqDigits.len);
            out.put(PREV);
            out.put(headJson.buf, 0, headJson.len);
            out.put(HASH);
            // The new head, hex-encoded, straight into the line and into the head.
            if (headAscii.length < 64) {
                headAscii = new byte[64];
            }
            byte[] b = out.buf;
            int p = out.len;
            for (int i = 0; i < 32; i++) {
                int v = digest[i] & 0xFF;
                b[p++] = headAscii[2 * i] = HEX[v >>> 4];
                b[p++] = headAscii[2 * i + 1] = HEX[v & 0xF];
            }
            out.len = p;
            headAsciiLen = 64;
            headJson.reset();
            headJson.put((byte) '"');
            headJson.put(headAscii, 0, 64);
            headJson.put((byte) '"');
            out.put(RECORD);
            out.put(canonical, off, len);
            out.put((byte) '}');
            out.put((byte) '\n');
            seq = next;
        }
    }
}
