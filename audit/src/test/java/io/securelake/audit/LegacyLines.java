package io.securelake.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The trail's writer as it was before records were rendered without Jackson (HashChain.line and
 * JsonLinesAuditSink's UTF-8 encoding, verbatim): the reference the new writer must match byte for byte.
 */
final class LegacyLines {
    private LegacyLines() {
    }

    /** The old canonical form: Jackson tree of the record, compact. */
    static String canonical(AuditRecord record) throws JsonProcessingException {
        return AuditJson.MAPPER.writeValueAsString(AuditJson.MAPPER.valueToTree(record));
    }

    static String hash(String prev, long seq, String canonicalRecord) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(prev.getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        sha.update(Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        sha.update((byte) '\n');
        sha.update(canonicalRecord.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** One line as the old writer rendered it, newline included, as the bytes it wrote; and its hash. */
    static Line line(String prev, long seq, AuditRecord record) throws Exception {
        JsonNode tree = AuditJson.MAPPER.valueToTree(record);
        String hash = hash(prev, seq, AuditJson.MAPPER.writeValueAsString(tree));
        ObjectNode line = AuditJson.MAPPER.createObjectNode();
        line.put("seq", seq);
        line.put("prev", prev);
        line.put("hash", hash);
        line.set("record", tree);
        return new Line((AuditJson.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8), hash);
    }

    record Line(byte[] bytes, String hash) {
    }
}
