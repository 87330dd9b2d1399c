package io.securelake.lakewriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The commit record of one batch: the contiguous offset range {@code [firstOffset, lastOffset]} of one
 * Kafka partition that is now in the raw zone, and the files (temporary name, final name) that hold it.
 * A batch is committed the moment its manifest appears under {@code _commits/<partition>/<first>.json};
 * renaming the files into place afterwards is idempotent and is completed by whoever recovers next.
 *
 * @param files      paths relative to the dataset's raw directory
 * @param records    events written to the files
 * @param quarantined events of the range sent to quarantine instead
 */
public record CommitManifest(String topic, int partition, long firstOffset, long lastOffset, String writerId,
                             Instant committedAt, long records, long quarantined, List<FileEntry> files) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public CommitManifest {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(committedAt, "committedAt");
        files = List.copyOf(files);
        if (firstOffset < 0 || lastOffset < firstOffset) {
            throw new IllegalArgumentException("invalid offset range [" + firstOffset + ", " + lastOffset + "]");
        }
    }

    public record FileEntry(String tmp, String finalName, long records) {
    }

    public byte[] toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("manifest_version", 1);
        n.put("topic", topic);
        n.put("partition", partition);
        n.put("first_offset", firstOffset);
        n.put("last_offset", lastOffset);
        n.put("writer", writerId);
        n.put("committed_at", committedAt.toString());
        n.put("records", records);
        n.put("quarantined", quarantined);
        ArrayNode a = n.putArray("files");
        for (FileEntry f : files) {
            a.addObject().put("tmp", f.tmp()).put("final", f.finalName()).put("records", f.records());
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static CommitManifest parse(byte[] json) throws IOException {
        JsonNode n = JSON.readTree(json);
        if (n == null || n.path("manifest_version").asInt() != 1) {
            throw new IOException("not a version 1 commit manifest");
        }
        List<FileEntry> files = new ArrayList<>();
        for (JsonNode f : n.path("files")) {
            files.add(new FileEntry(f.path("tmp").asText(), f.path("final").asText(), f.path("records").asLong()));
        }
        return new CommitManifest(n.path("topic").asText(), n.path("partition").asInt(), n.path("first_offset").asLong(),
                n.path("last_offset").asLong(), n.path("writer").asText(), Instant.parse(n.path("committed_at").asText()),
                n.path("records").asLong(), n.path("quarantined").asLong(), files);
    }
}
