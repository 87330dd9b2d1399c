package io.securelake.lakewriter;

import io.securelake.contracts.status.ServiceState;
import io.securelake.lakewriter.internals.Committed;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's counters since its start and the {@link WriterStatus} built from them, replaced in
 * {@code <state.dir>/status.json} every {@code status.interval.ms}. Updated by the writer's thread only; the last
 * status is published for other threads ({@link #status()}).
 */
final class WriterMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(WriterMetrics.class);

    private final LakeWriterConfig config;
    private final String environment;
    private final LongSupplier nanoClock;
    private final Instant startedAt = Instant.now();
    private volatile WriterStatus status;

    private long eventsCommitted;
    private long bytesCommitted;
    private long filesCommitted;
    private long batchesCommitted;
    private long quarantined;
    private Instant lastCommitAt;
    /** When the current outage began; null while the writer is healthy. */
    private Instant outageSince;
    private String lastError;
    private long lastStatusNanos;
    private boolean statusWritten;
    private long lastStatusEvents;
    private long lastStatusBytes;

    WriterMetrics(LakeWriterConfig config, String environment, LongSupplier nanoClock) {
        this.config = config;
        this.environment = environment;
        this.nanoClock = nanoClock;
        this.status = snapshot(ServiceState.STARTING, 0);
    }

    void committed(Committed c, long bytes) {
        eventsCommitted += c.events();
        bytesCommitted += bytes;
        filesCommitted += c.files();
        batchesCommitted++;
        lastCommitAt = c.committedAt();
    }

    void quarantined() {
        quarantined++;
    }

    void outageStarted(Instant at) {
        outageSince = at;
    }

    void outageEnded() {
        outageSince = null;
    }

    /** When the current outage began; null while the writer is healthy. */
    Instant outageSince() {
        return outageSince;
    }

    void lastError(String error) {
        lastError = error;
    }

    WriterStatus status() {
        return status;
    }

    /** Publishes (not yet to the file) a status without partition figures: on an outage, at the end. */
    void state(ServiceState state, int openFiles) {
        status = snapshot(state, openFiles);
    }

    long batchesCommitted() {
        return batchesCommitted;
    }

    /** Whether the status file is due to be replaced: a status interval has passed since the last time. */
    boolean statusDue() {
        return !statusWritten || nanoClock.getAsLong() - lastStatusNanos >= config.statusInterval().toNanos();
    }

    /**
     * Replaces the status with one of the figures as they are now, and the status file with it.
     *
     * @param lag events not yet read, summed over the partitions; -1 if unknown for any
     */
    void publish(List<WriterStatus.PartitionStatus> partitions, long lag, int openFiles) {
        long now = nanoClock.getAsLong();
        double seconds = statusWritten ? (now - lastStatusNanos) / 1e9 : 0;
        double eps = seconds > 0 ? (eventsCommitted - lastStatusEvents) / seconds : 0;
        double bps = seconds > 0 ? (bytesCommitted - lastStatusBytes) / seconds : 0;
        lastStatusNanos = now;
        statusWritten = true;
        lastStatusEvents = eventsCommitted;
        lastStatusBytes = bytesCommitted;
        status = new WriterStatus(environment, config.writerId(), ProcessHandle.current().pid(), config.principal(),
                outageSince != null ? ServiceState.DEGRADED : ServiceState.RUNNING, startedAt, Instant.now(), eventsCommitted, bytesCommitted, eps,
                bps, lag, filesCommitted, batchesCommitted, quarantined, openFiles, lastCommitAt, outageSince, lastError,
                partitions);
        write();
    }

    /** Writes the status as it is now; a failure is logged, never raised (the writer's work goes on). */
    void write() {
        try {
            status.writeTo(config.statusFile());
        } catch (RuntimeException e) {
            LOG.warn("cannot write status file: {}", e.getMessage());
        }
    }

    private WriterStatus snapshot(ServiceState state, int openFiles) {
        return new WriterStatus(environment, config.writerId(), ProcessHandle.current().pid(), config.principal(), state,
                startedAt, Instant.now(), eventsCommitted, bytesCommitted, 0, 0, -1, filesCommitted, batchesCommitted,
                quarantined, openFiles, lastCommitAt, outageSince, lastError, List.of());
    }
}
