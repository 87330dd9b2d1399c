package io.securelake.lakewriter;

import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The writer's figures as {@code securelake status} shows them; written atomically and durably to
 * {@code <state.dir>/status.json} as the lake-writer's {@link ServiceStatus} (format in docs/RAW-ZONE.md).
 *
 * @param state            starting, running, degraded (HDFS unreachable, retrying) or stopped
 * @param eventsCommitted  events in committed raw-zone files since start
 * @param eventsPerSecond  committed events per second over the last status interval
 * @param lag              events on the raw topics not yet read, summed over assigned partitions (-1 unknown)
 */
public record WriterStatus(String environment, String writerId, long pid, String principal, ServiceState state,
                           Instant startedAt, Instant updatedAt, long eventsCommitted, long bytesCommitted,
                           double eventsPerSecond, double bytesPerSecond, long lag, long filesCommitted,
                           long batchesCommitted, long quarantined, int openFiles, Instant lastCommitAt,
                           Instant hdfsUnavailableSince, String lastError, List<PartitionStatus> partitions) {

    public WriterStatus {
        partitions = List.copyOf(partitions);
        if (!state.reportedByService()) {
            throw new IllegalArgumentException("the writer cannot report '" + state + "'");
        }
    }

    /** @param nextOffset the first offset not yet committed to the raw zone, -1 if none committed yet */
    public record PartitionStatus(String topic, int partition, long nextOffset, long lag, long openBatchEvents) {
    }

    /** The status file's document: rates rounded as shown (0.1 event/s, 1 byte/s), the heap as it is now. */
    public ServiceStatus<LakeWriterFigures> toServiceStatus() {
        LakeWriterFigures.Builder f = LakeWriterFigures.builder(writerId, principal)
                .eventsCommitted(eventsCommitted).bytesCommitted(bytesCommitted)
                .eventsPerSecond(Math.round(eventsPerSecond * 10) / 10.0).bytesPerSecond(Math.round(bytesPerSecond))
                .lag(lag).filesCommitted(filesCommitted).batchesCommitted(batchesCommitted).quarantined(quarantined)
                .openFiles(openFiles).lastCommitAt(lastCommitAt).hdfsUnavailableSince(hdfsUnavailableSince)
                .lastError(lastError).heapUsedBytes(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        for (PartitionStatus p : partitions) {
            f.partition(LakeWriterFigures.PartitionFigures.of(p.topic(), p.partition()).withNextOffset(p.nextOffset())
                    .withLag(p.lag()).withOpenBatchEvents(p.openBatchEvents()));
        }
        return ServiceStatus.of(f.build()).environment(environment).state(state).pid(pid).startedAt(startedAt)
                .updatedAt(updatedAt).detail(hdfsUnavailableSince == null ? null
                        : "HDFS unreachable since " + hdfsUnavailableSince + ", retrying").build();
    }

    /** Replaces the file atomically and durably, so a reader never sees a partial document. */
    public void writeTo(Path file) {
        toServiceStatus().writeTo(file, ServiceStatus.LAKE_WRITER);
    }
}
