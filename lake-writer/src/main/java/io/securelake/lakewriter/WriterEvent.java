package io.securelake.lakewriter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * What the writer reports as it goes, typed: a listener ({@link WriterListener}) reacts to facts instead of parsing
 * text. {@link WriterEventText} is the one place that turns an event into the line {@link LakeWriterMain} prints, and
 * that line back into the event.
 */
public sealed interface WriterEvent {

    /** The writer is logged in and subscribed to its environment's raw topics. */
    record Running(String principal, String writerId, List<String> topics) implements WriterEvent {
        public Running {
            topics = List.copyOf(topics);
        }
    }

    /** Kafka gave this writer the partition; recovery from the raw zone follows. */
    record Assigned(TopicPartition partition) implements WriterEvent {
    }

    /** Kafka took the partition back in an orderly rebalance: the open batch was committed first, if it could be. */
    record Revoked(TopicPartition partition) implements WriterEvent {
    }

    /** The partition was lost (another writer may own it already): the open batch was dropped. */
    record Lost(TopicPartition partition) implements WriterEvent {
    }

    /**
     * The partition's committed chain was re-read from the raw zone, unfinished renames completed, and the consumer
     * positioned where the chain ends.
     *
     * @param nextOffset the first offset not committed yet; -1 if nothing was committed yet (consumption starts at the
     *                   beginning of the partition)
     */
    record RecoveryCompleted(TopicPartition partition, long nextOffset) implements WriterEvent {
    }

    /** Where a commit's milliseconds went; {@code totalMs} is measured, not the sum of the rounded parts. */
    record CommitTimings(long totalMs, long closeMs, long manifestMs, long applyMs, long pruneMs) {
    }

    /**
     * A batch is in the raw zone: its manifest is in place and its files moved into their time partitions.
     *
     * @param events      events written to the files
     * @param quarantined events of the range sent to quarantine instead
     */
    record BatchCommitted(TopicPartition partition, long firstOffset, long lastOffset, int files, long events,
                          long quarantined, CommitTimings timings) implements WriterEvent {
    }

    /** An undecodable record was written to the quarantine; {@code reason} names no value. */
    record Quarantined(TopicPartition partition, long offset, String reason) implements WriterEvent {
    }

    /** The writer lost the race for a manifest name: another writer committed from {@code firstOffset}; this batch is dropped. */
    record Fenced(TopicPartition partition, long firstOffset, long lastOffset) implements WriterEvent {
    }

    enum OutageCause {
        /** HDFS failed (an I/O error): the NameNode or DataNodes are unreachable. */
        HDFS,
        /** An unexpected exception escaped the writer's loop; the log has its stack. */
        ERROR
    }

    /** Open batches were abandoned and consumption paused; the writer retries with a backoff. */
    record OutageStarted(OutageCause cause, String error) implements WriterEvent {
        public OutageStarted {
            Objects.requireNonNull(cause, "cause");
            Objects.requireNonNull(error, "error");
        }
    }

    /** Every partition was recovered from the raw zone and consumption resumed. */
    record OutageEnded(OutageCause cause, long seconds) implements WriterEvent {
    }

    /** The writer's loop has not advanced for {@code millis}; {@code where} is its thread's stack, innermost first. */
    record Stalled(long millis, String where) implements WriterEvent {
    }

    /** The loop advances again after a {@link Stalled}. */
    record Advancing() implements WriterEvent {
    }

    /** The loop ended: on request, or after a fatal {@code cause} (another process took the group membership, a JVM error). */
    record Stopped(Optional<String> cause) implements WriterEvent {
        public Stopped {
            Objects.requireNonNull(cause, "cause");
        }
    }
}
