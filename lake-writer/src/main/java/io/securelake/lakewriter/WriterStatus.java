package io.securelake.lakewriter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

/**
 * The writer's figures as {@code securelake status} shows them; written atomically to
 * {@code <state.dir>/status.json} (format in docs/RAW-ZONE.md).
 *
 * @param state            {@code starting}, {@code running}, {@code degraded} (HDFS unreachable, retrying) or {@code stopped}
 * @param eventsCommitted  events in committed raw-zone files since start
 * @param eventsPerSecond  committed events per second over the last status interval
 * @param lag              events on the raw topics not yet read, summed over assigned partitions (-1 unknown)
 */
public record WriterStatus(String environment, String writerId, long pid, String principal, String state,
                           Instant startedAt, Instant updatedAt, long eventsCommitted, long bytesCommitted,
                           double eventsPerSecond, double bytesPerSecond, long lag, long filesCommitted,
                           long batchesCommitted, long quarantined, int openFiles, Instant lastCommitAt,
                           Instant hdfsUnavailableSince, String lastError, List<PartitionStatus> partitions) {

    public WriterStatus {
        partitions = List.copyOf(partitions);
    }

    /** @param nextOffset the first offset not yet committed to the raw zone, -1 if none committed yet */
    public record PartitionStatus(String topic, int partition, long nextOffset, long lag, long openBatchEvents) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("status_version", 1);
        n.put("environment", environment);
        n.put("writer_id", writerId);
        n.put("pid", pid);
        n.put("principal", principal);
        n.put("state", state);
        n.put("started_at", startedAt.toString());
        n.put("updated_at", updatedAt.toString());
        n.put("events_committed", eventsCommitted);
        n.put("bytes_committed", bytesCommitted);
        n.put("events_per_sec", Math.round(eventsPerSecond * 10) / 10.0);
        n.put("bytes_per_sec", Math.round(bytesPerSecond));
        n.put("lag", lag);
        n.put("files_committed", filesCommitted);
        n.put("batches_committed", batchesCommitted);
        n.put("quarantined", quarantined);
        n.put("open_files", openFiles);
        n.put("last_commit_at", lastCommitAt == null ? null : lastCommitAt.toString());
        n.put("hdfs_unavailable_since", hdfsUnavailableSince == null ? null : hdfsUnavailableSince.toString());
        n.put("last_error", lastError);
        n.put("heap_used_bytes", Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        ArrayNode a = n.putArray("partitions");
        for (PartitionStatus p : partitions) {
            a.addObject().put("topic", p.topic()).put("partition", p.partition()).put("next_offset", p.nextOffset())
                    .put("lag", p.lag()).put("open_batch_events", p.openBatchEvents());
        }
        return n;
    }

    /** Replaces the file atomically, so a reader never sees a partial document. */
    public void writeTo(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, toJson().toPrettyString().getBytes(StandardCharsets.UTF_8));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write writer status " + file, e);
        }
    }
}
