package io.securelake.tests.pipeline;

import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A lake-writer's status file (docs/RAW-ZONE.md, "Status file"), as tests poll it, read through its contract. The
 * writer replaces it atomically every status interval; a read that meets no file sees nothing and the caller polls
 * again, and a file that breaks the contract fails the test.
 */
record WriterStatusFile(Path file) {
    static WriterStatusFile in(Path stateDir) {
        return new WriterStatusFile(stateDir.resolve(ServiceKind.LAKE_WRITER.statusFileName()));
    }

    Optional<ServiceStatus<LakeWriterFigures>> read() {
        return ServiceStatus.readIfPresent(file, ServiceStatus.LAKE_WRITER);
    }

    /** Every partition of the topic (three) fully read, nothing left in an open batch, and the writer running. */
    boolean caughtUp(String topic) {
        return read().map(status -> {
            int partitions = 0;
            for (LakeWriterFigures.PartitionFigures part : status.figures().partitions()) {
                if (part.topic().equals(topic)) {
                    partitions++;
                    if (part.lag() != 0 || part.openBatchEvents() != 0 || part.nextOffset() < 0) {
                        return false;
                    }
                }
            }
            return partitions == 3 && status.state() == ServiceState.RUNNING;
        }).orElse(false);
    }

    /** One partition's line of the status: where its committed chain ends (-1: nothing committed) and its open batch. */
    record PartitionFigures(long nextOffset, long lag, long openBatchEvents) {
    }

    /** The writer's state and its figures for each assigned partition of {@code topic}, from one snapshot. */
    record TopicFigures(ServiceState state, Map<Integer, PartitionFigures> partitions) {
    }

    Optional<TopicFigures> figures(String topic) {
        return read().map(status -> {
            Map<Integer, PartitionFigures> parts = new TreeMap<>();
            for (LakeWriterFigures.PartitionFigures part : status.figures().partitions()) {
                if (part.topic().equals(topic)) {
                    parts.put(part.partition(), new PartitionFigures(part.nextOffset(), part.lag(), part.openBatchEvents()));
                }
            }
            return new TopicFigures(status.state(), parts);
        });
    }

    /**
     * The writer is running and its committed chain ends at Kafka's end offset in every partition of {@code topic}
     * (as read after the producer's last acknowledgement): every event in the topic is committed, none is in an
     * open batch. Unlike the writer's own lag figure this cannot be stale: the end offsets are Kafka's, not the
     * high watermark of the writer's last fetch.
     */
    boolean committedThrough(String topic, Map<Integer, Long> endOffsets) {
        return figures(topic).map(f -> f.state() == ServiceState.RUNNING && f.partitions().keySet().equals(endOffsets.keySet())
                && endOffsets.entrySet().stream().allMatch(e -> {
                    PartitionFigures p = f.partitions().get(e.getKey());
                    return p.openBatchEvents() == 0 && (p.nextOffset() == e.getValue() || p.nextOffset() < 0 && e.getValue() == 0);
                })).orElse(false);
    }

    /** Events the writer has committed since it started (-1 if unknown). */
    long eventsCommitted() {
        return read().map(status -> status.figures().eventsCommitted()).orElse(-1L);
    }
}
