package io.securelake.tests.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A lake-writer's {@code status.json} (docs/RAW-ZONE.md, "Status file"), as tests poll it. The writer replaces
 * it every status interval; a read that meets no file, or a file being replaced, sees nothing and the caller
 * polls again.
 */
record WriterStatusFile(Path file) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static WriterStatusFile in(Path stateDir) {
        return new WriterStatusFile(stateDir.resolve("status.json"));
    }

    Optional<JsonNode> read() {
        try {
            return Files.exists(file) ? Optional.of(JSON.readTree(file.toFile())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // replaced while read
        }
    }

    /** Every partition of the topic (three) fully read, nothing left in an open batch, and the writer running. */
    boolean caughtUp(String topic) {
        return read().map(status -> {
            int partitions = 0;
            for (JsonNode part : status.path("partitions")) {
                if (part.get("topic").asText().equals(topic)) {
                    partitions++;
                    if (part.get("lag").asLong() != 0 || part.get("open_batch_events").asLong() != 0
                            || part.get("next_offset").asLong() < 0) {
                        return false;
                    }
                }
            }
            return partitions == 3 && status.get("state").asText().equals("running");
        }).orElse(false);
    }

    /** Events committed since the writer started, and the topic's events in open batches, from one snapshot. */
    record Counts(long committed, long open) {
    }

    /** Both counts from the same status file (separate reads may straddle a commit). */
    Optional<Counts> counts(String topic) {
        return read().map(status -> {
            long open = 0;
            for (JsonNode part : status.path("partitions")) {
                if (part.get("topic").asText().equals(topic)) {
                    open += part.get("open_batch_events").asLong();
                }
            }
            return new Counts(status.get("events_committed").asLong(), open);
        });
    }

    /** Events the writer has committed since it started (-1 if unknown). */
    long eventsCommitted() {
        return read().map(status -> status.get("events_committed").asLong()).orElse(-1L);
    }
}
