package io.securelake.lakewriter.internals;

import java.time.Instant;
import org.apache.kafka.common.TopicPartition;

/**
 * What one commit put in the raw zone, and where its time went: closing the files ({@code closeNanos}), writing and
 * renaming the manifest ({@code manifestNanos}), moving the files into place ({@code applyNanos}) and pruning.
 */
public record Committed(TopicPartition partition, long firstOffset, long lastOffset, int files, long events,
                        long quarantined, Instant committedAt, long closeNanos, long manifestNanos, long applyNanos,
                        long pruneNanos) {

    public long totalNanos() {
        return closeNanos + manifestNanos + applyNanos + pruneNanos;
    }
}
