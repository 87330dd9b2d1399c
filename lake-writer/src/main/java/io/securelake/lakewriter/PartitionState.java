package io.securelake.lakewriter;

import io.securelake.lakewriter.internals.PartitionChain;
import org.apache.kafka.common.TopicPartition;

/** What the writer holds for one assigned Kafka partition. Touched by the writer's thread only. */
final class PartitionState {
    final TopicPartition tp;
    final DatasetLayout layout;
    final EventDecoder decoder;
    final OpenBatch.FileFormat format;
    /** The committed chain as the last recovery found it and this writer's commits extended it; null before recovery. */
    PartitionChain chain;
    boolean needsRecovery = true;
    /** Set when the consumer was re-positioned mid-poll: the rest of that poll's records are stale. */
    boolean repositioned;
    OpenBatch batch;
    /** The last event's hour and its time partition: consecutive events mostly share it, and formatting it costs. */
    long cachedBucket = Long.MIN_VALUE;
    String cachedPartition;

    PartitionState(TopicPartition tp, DatasetLayout layout, EventDecoder decoder, OpenBatch.FileFormat format) {
        this.tp = tp;
        this.layout = layout;
        this.decoder = decoder;
        this.format = format;
    }

    /** The first offset not committed yet; -1 if nothing is committed or the partition awaits recovery. */
    long next() {
        return chain == null ? -1 : chain.next();
    }

    int openFiles() {
        return batch == null ? 0 : batch.openFiles();
    }

    long openBatchEvents() {
        return batch == null ? 0 : batch.events();
    }
}
