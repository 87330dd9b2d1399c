package io.securelake.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The line format of the trail: {@code {"seq":n,"prev":"<hex>","hash":"<hex>","record":{…}}}.
 * {@code hash = SHA-256(prev "\n" seq "\n" canonical(record))}, where canonical is Jackson's compact
 * rendering of the record's JSON tree, so the verifier can recompute it from the parsed line.
 * The first line of the first file starts from {@link #GENESIS}; a new day's file continues from the
 * last hash of the previous file, so a deleted, reordered or edited line or file breaks the chain.
 */
final class HashChain {
    static final String GENESIS = "0".repeat(64);

    private HashChain() {
    }

    static String hash(String prev, long seq, String canonicalRecord) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prev.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '\n');
            sha.update(Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) '\n');
            sha.update(canonicalRecord.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    static String canonical(JsonNode record) throws JsonProcessingException {
        return AuditJson.MAPPER.writeValueAsString(record);
    }

    /** Renders one chained line (without the newline) and returns it with its hash. */
    static Line line(String prev, long seq, AuditRecord record) {
        try {
            JsonNode tree = AuditJson.MAPPER.valueToTree(record);
            String hash = hash(prev, seq, canonical(tree));
            ObjectNode line = AuditJson.MAPPER.createObjectNode();
            line.put("seq", seq);
            line.put("prev", prev);
            line.put("hash", hash);
            line.set("record", tree);
            return new Line(AuditJson.MAPPER.writeValueAsString(line), hash);
        } catch (JsonProcessingException e) {
            throw new AuditSinkException("cannot render audit record " + record + ": " + e.getMessage(), e);
        }
    }

    record Line(String text, String hash) {
    }
}
