package io.securelake.lakewriter.internals;

import org.apache.kafka.common.TopicPartition;

/**
 * A commit lost the race for its manifest name: another writer committed a range starting at the same offset
 * first. The losing batch's files and manifest have been deleted.
 */
public final class FencedException extends Exception {
    private final TopicPartition partition;
    private final long firstOffset;
    private final long lastOffset;

    FencedException(TopicPartition partition, long firstOffset, long lastOffset) {
        super("offsets from " + firstOffset + " were committed by another writer; dropping this writer's batch ["
                + firstOffset + ", " + lastOffset + "]");
        this.partition = partition;
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
    }

    public TopicPartition partition() {
        return partition;
    }

    public long firstOffset() {
        return firstOffset;
    }

    public long lastOffset() {
        return lastOffset;
    }
}
