package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Fields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The lake-writer's figures (docs/RAW-ZONE.md, "Status file"). Counters are since the process started. Build with
 * {@link #builder(String, String)}: a dozen counters of one type must not be told apart by their position.
 *
 * @param eventsPerSecond      committed events per second over the last status interval
 * @param lag                  events on the raw topics not yet read, summed over assigned partitions (-1 unknown)
 * @param lastCommitAt         null before the first commit
 * @param hdfsUnavailableSince null while HDFS answers
 * @param lastError            null when nothing went wrong
 */
public record LakeWriterFigures(
        @JsonProperty("writer_id") String writerId,
        @JsonProperty("principal") String principal,
        @JsonProperty("events_committed") long eventsCommitted,
        @JsonProperty("bytes_committed") long bytesCommitted,
        @JsonProperty("events_per_sec") double eventsPerSecond,
        @JsonProperty("bytes_per_sec") double bytesPerSecond,
        @JsonProperty("lag") long lag,
        @JsonProperty("files_committed") long filesCommitted,
        @JsonProperty("batches_committed") long batchesCommitted,
        @JsonProperty("quarantined") long quarantined,
        @JsonProperty("open_files") int openFiles,
        @JsonProperty("last_commit_at") Instant lastCommitAt,
        @JsonProperty("hdfs_unavailable_since") Instant hdfsUnavailableSince,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("heap_used_bytes") long heapUsedBytes,
        @JsonProperty("partitions") List<PartitionFigures> partitions) implements ServiceFigures {

    public LakeWriterFigures {
        Fields.nonBlank(writerId, "writer_id");
        Fields.nonBlank(principal, "principal");
        Fields.notNegative(eventsCommitted, "events_committed");
        Fields.notNegative(bytesCommitted, "bytes_committed");
        Fields.notNegative(eventsPerSecond, "events_per_sec");
        Fields.notNegative(bytesPerSecond, "bytes_per_sec");
        Fields.notBelowMinusOne(lag, "lag");
        Fields.notNegative(filesCommitted, "files_committed");
        Fields.notNegative(batchesCommitted, "batches_committed");
        Fields.notNegative(quarantined, "quarantined");
        Fields.notNegative(openFiles, "open_files");
        Fields.notNegative(heapUsedBytes, "heap_used_bytes");
        partitions = List.copyOf(Fields.required(partitions, "partitions"));
    }

    @JsonIgnore
    @Override
    public ServiceKind service() {
        return ServiceKind.LAKE_WRITER;
    }

    /**
     * One assigned partition.
     *
     * @param nextOffset      the first offset not yet committed to the raw zone, -1 if none committed yet
     * @param lag             events not yet read (-1 unknown)
     * @param openBatchEvents events read into the open batch, not committed yet
     */
    public record PartitionFigures(
            @JsonProperty("topic") String topic,
            @JsonProperty("partition") int partition,
            @JsonProperty("next_offset") long nextOffset,
            @JsonProperty("lag") long lag,
            @JsonProperty("open_batch_events") long openBatchEvents) {

        public PartitionFigures {
            Fields.nonBlank(topic, "topic");
            Fields.notNegative(partition, "partition");
            Fields.notBelowMinusOne(nextOffset, "next_offset");
            Fields.notBelowMinusOne(lag, "lag");
            Fields.notNegative(openBatchEvents, "open_batch_events");
        }

        /** A partition with nothing committed, lag unknown and no open batch; set the figures by name. */
        public static PartitionFigures of(String topic, int partition) {
            return new PartitionFigures(topic, partition, -1, -1, 0);
        }

        public PartitionFigures withNextOffset(long v) {
            return new PartitionFigures(topic, partition, v, lag, openBatchEvents);
        }

        public PartitionFigures withLag(long v) {
            return new PartitionFigures(topic, partition, nextOffset, v, openBatchEvents);
        }

        public PartitionFigures withOpenBatchEvents(long v) {
            return new PartitionFigures(topic, partition, nextOffset, lag, v);
        }
    }

    public static Builder builder(String writerId, String principal) {
        return new Builder(writerId, principal);
    }

    /** Counters default to 0, lag to -1 (unknown), instants and the error to null (nothing to say). */
    public static final class Builder {
        private final String writerId;
        private final String principal;
        private long eventsCommitted;
        private long bytesCommitted;
        private double eventsPerSecond;
        private double bytesPerSecond;
        private long lag = -1;
        private long filesCommitted;
        private long batchesCommitted;
        private long quarantined;
        private int openFiles;
        private Instant lastCommitAt;
        private Instant hdfsUnavailableSince;
        private String lastError;
        private long heapUsedBytes;
        private final List<PartitionFigures> partitions = new ArrayList<>();

        private Builder(String writerId, String principal) {
            this.writerId = writerId;
            this.principal = principal;
        }

        public Builder eventsCommitted(long v) {
            eventsCommitted = v;
            return this;
        }

        public Builder bytesCommitted(long v) {
            bytesCommitted = v;
            return this;
        }

        public Builder eventsPerSecond(double v) {
            eventsPerSecond = v;
            return this;
        }

        public Builder bytesPerSecond(double v) {
            bytesPerSecond = v;
            return this;
        }

        public Builder lag(long v) {
            lag = v;
            return this;
        }

        public Builder filesCommitted(long v) {
            filesCommitted = v;
            return this;
        }

        public Builder batchesCommitted(long v) {
            batchesCommitted = v;
            return this;
        }

        public Builder quarantined(long v) {
            quarantined = v;
            return this;
        }

        public Builder openFiles(int v) {
            openFiles = v;
            return this;
        }

        public Builder lastCommitAt(Instant v) {
            lastCommitAt = v;
            return this;
        }

        public Builder hdfsUnavailableSince(Instant v) {
            hdfsUnavailableSince = v;
            return this;
        }

        public Builder lastError(String v) {
            lastError = v;
            return this;
        }

        public Builder heapUsedBytes(long v) {
            heapUsedBytes = v;
            return this;
        }

        public Builder partition(PartitionFigures p) {
            partitions.add(p);
            return this;
        }

        public LakeWriterFigures build() {
            return new LakeWriterFigures(writerId, principal, eventsCommitted, bytesCommitted, eventsPerSecond,
                    bytesPerSecond, lag, filesCommitted, batchesCommitted, quarantined, openFiles, lastCommitAt,
                    hdfsUnavailableSince, lastError, heapUsedBytes, partitions);
        }
    }
}
