package io.securelake.tests.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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

    /** One partition's line of the status: where its committed chain ends (-1: nothing committed) and its open batch. */
    record PartitionFigures(long nextOffset, long lag, long openBatchEvents) {
    }

    /** The writer's state and its figures for each assigned partition of {@code topic}, from one snapshot. */
    record TopicFigures(String state, Map<Integer, PartitionFigures> partitions) {
    }

    Optional<TopicFigures> figures(String topic) {
        return read().map(status -> {
            Map<Integer, PartitionFigures> parts = new TreeMap<>();
            for (JsonNode part : status.path("partitions")) {
                if (part.get("topic").asText().equals(topic)) {
                    parts.put(part.get("partition").asInt(), new PartitionFigures(part.get("next_offset").asLong(),
                            part.get("lag").asLong(), part.get("open_batch_events").asLong()));
                }
            }
            return new TopicFigures(status.get("state").asText(), parts);
        });
    }

    /**
     * The writer is running and its committed chain ends at Kafka's end offset in every partition of {@code topic}
     * (as read after the producer's last acknowledgement): every event in the topic is committed, none is in an
     * open batch. Unlike the writer's own lag figure this cannot be stale: the end offsets are Kafka's, not the
     * high watermark of the writer's last fetch.
     */
    boolean committedThrough(String topic, Map<Integer, Long> endOffsets) {
        return figures(topic).map(f -> f.state().equals("running") && f.partitions().keySet().equals(endOffsets.keySet())
                && endOffsets.entrySet().stream().allMatch(e -> {
                    PartitionFigures p = f.partitions().get(e.getKey());
                    return p.openBatchEvents() == 0 && (p.nextOffset() == e.getValue() || p.nextOffset() < 0 && e.getValue() == 0);
                })).orElse(false);
    }

    /** Events the writer has committed since it started (-1 if unknown). */
    long eventsCommitted() {
        return read().map(status -> status.get("events_committed").asLong()).orElse(-1L);
    }
}
