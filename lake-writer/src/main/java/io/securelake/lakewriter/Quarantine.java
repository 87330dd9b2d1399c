package io.securelake.lakewriter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.hadoop.HdfsWrites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Writes undecodable records to {@code /lake/<env>/quarantine/<dataset>/<topic>-<partition>-<offset>.json}
 * (docs/RAW-ZONE.md, "Failures"): a temporary file renamed into place only if absent, so writing one twice (a batch
 * redone after a crash) keeps the first. Written before the batch whose range covers the record commits.
 */
final class Quarantine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final FileContext fc;
    private final String environment;
    private final String writerId;

    Quarantine(FileSystem fs, FileContext fc, String environment, String writerId) {
        this.fs = fs;
        this.fc = fc;
        this.environment = environment;
        this.writerId = writerId;
    }

    /** @return true if this call quarantined the record, false if an earlier attempt already had */
    boolean write(DatasetLayout layout, ConsumerRecord<byte[], byte[]> rec, String reason) throws IOException {
        Path target = layout.quarantineFile(rec.partition(), rec.offset());
        ObjectNode n = JSON.createObjectNode();
        n.put("quarantine_version", 1);
        n.put("environment", environment);
        n.put("dataset", layout.dataset().name());
        n.put("topic", rec.topic());
        n.put("partition", rec.partition());
        n.put("offset", rec.offset());
        n.put("kafka_timestamp", Instant.ofEpochMilli(rec.timestamp()).toString());
        n.put("reason", reason);
        n.put("writer", writerId);
        byte[] value = rec.value() == null ? new byte[0] : rec.value();
        n.put("value_length", value.length);
        n.put("value_sha256", sha256(value));
        // Kept for audit and replay; the quarantine directory is readable by the lake-writer only.
        n.put("value_base64", Base64.getEncoder().encodeToString(value));
        if (rec.key() != null) {
            n.put("key_base64", Base64.getEncoder().encodeToString(rec.key()));
        }
        Path tmp = new Path(layout.quarantine(), "_tmp/" + target.getName() + "." + writerId);
        HdfsWrites.write(fs, tmp, n.toString().getBytes(StandardCharsets.UTF_8));
        try {
            fc.rename(tmp, target, Options.Rename.NONE);
            return true;
        } catch (FileAlreadyExistsException e) {
            fs.delete(tmp, false); // an earlier attempt already quarantined it: idempotent
            return false;
        }
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
