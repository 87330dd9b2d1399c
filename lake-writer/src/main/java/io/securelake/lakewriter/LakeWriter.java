package io.securelake.lakewriter;

import io.securelake.contracts.status.ServiceState;
import io.securelake.envs.Environment;
import io.securelake.lakewriter.WriterEvent.OutageCause;
import io.securelake.lakewriter.internals.CommitHook;
import io.securelake.lakewriter.internals.RawZoneCommitter;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.avro.file.DataFileWriter;
import org.apache.hadoop.fs.FileSystem;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes an environment's raw topics and writes the raw zone exactly once (docs/RAW-ZONE.md).
 *
 * <p>Offsets live with the data: per Kafka partition, events accumulate in a <em>batch</em> covering a
 * contiguous offset range, written to temporary Avro files (one per time partition, {@link Partitions}); the
 * {@link RawZoneCommitter} commits it by renaming its manifest into place, atomically and only if absent, and
 * recovers each partition from its manifests on (re)assignment ({@link Rebalance}). This class is the loop around
 * them: it polls, survives HDFS outages and unexpected failures (open batches abandoned, consumption paused, every
 * partition recovered after a backoff), reports {@link WriterEvent}s and publishes its {@link WriterStatus}.
 *
 * <p>The Kafka consumer and the HDFS clients come from {@link WriterClients}: Kerberized in production, a
 * {@code MockConsumer} and a MiniDFSCluster in the fault-injection tests. Single-threaded: the consumer, HDFS and
 * the files are touched by the writer thread only.
 */
public final class LakeWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LakeWriter.class);
    private static final long FIRST_REPAIR_BACKOFF_MS = 250;

    private final LakeWriterConfig config;
    private final String environment;
    private final WriterClients clients;
    private final WriterListener listener;
    private final LongSupplier nanoClock;
    private final WriterMetrics metrics;
    private final Partitions partitions;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile Thread thread;
    /** Volatile: {@link #close()} wakes it from another thread. */
    private volatile Consumer<byte[], byte[]> consumer;
    private FileSystem fs;

    private long nextRepairNanos;
    private long repairBackoffMs;
    private OutageCause outageCause = OutageCause.HDFS;
    /** Batches committed when the last repair succeeded (-1: none yet): a failure before the next commit is the same trouble again. */
    private long batchesAtRepair = -1;

    private LakeWriter(LakeWriterConfig config, Environment env, WriterClients clients, WriterListener listener,
                       CommitHook hook, LongSupplier nanoClock) {
        this.config = config;
        this.environment = env.name();
        this.clients = clients;
        this.listener = listener;
        this.nanoClock = nanoClock;
        this.metrics = new WriterMetrics(config, env.name(), nanoClock);
        this.partitions = new Partitions(config, env, listener, metrics, hook, nanoClock);
    }

    /**
     * A writer with the production clients (a keytab login, Kerberized Kafka and HDFS).
     *
     * @param lines receives each event's line ({@link WriterEventText#render}); the process main prints them
     */
    public static LakeWriter create(LakeWriterConfig config, Environment env, java.util.function.Consumer<String> lines) {
        Objects.requireNonNull(lines, "lines");
        return create(config, env, WriterClients.kerberized(config, env), event -> lines.accept(WriterEventText.render(event)));
    }

    /**
     * A writer whose Kafka consumer and HDFS clients come from {@code clients}.
     *
     * @param listener receives every {@link WriterEvent}, from the writer's thread and its stall watchdog's
     */
    public static LakeWriter create(LakeWriterConfig config, Environment env, WriterClients clients, WriterListener listener) {
        return create(config, env, clients, listener, CommitHook.NONE, System::nanoTime);
    }

    /** Tests only: {@code hook} injects faults into the commit protocol, {@code nanoClock} replaces {@link System#nanoTime()}. */
    static LakeWriter create(LakeWriterConfig config, Environment env, WriterClients clients, WriterListener listener,
                             CommitHook hook, LongSupplier nanoClock) {
        if (!env.name().equals(config.environment())) {
            throw new IllegalArgumentException("configuration is for environment '" + config.environment()
                    + "' but the definition loaded is '" + env.name() + "'");
        }
        return new LakeWriter(config, env, Objects.requireNonNull(clients, "clients"),
                Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(hook, "hook"), nanoClock);
    }

    // ------------------------------------------------------------------------------ lifecycle

    /** Runs the writer on a new thread; returns at once. */
    public LakeWriter start() {
        Thread t = new Thread(this::run, "lake-writer-" + environment);
        thread = t;
        t.start();
        return this;
    }

    /** Runs the writer on this thread until {@link #close()}; throws if it cannot start at all. */
    public void run() {
        try {
            clients.runAs(this::loop);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("lake-writer failed: " + e.getMessage(), e);
        } finally {
            finished.countDown();
        }
    }

    private void loop() throws IOException {
        openHdfs();
        Throwable fatal = null;
        try (LoopWatchdog watchdog = new LoopWatchdog(Thread.currentThread(), config.stallWarning(), event -> {
            LOG.warn(WriterEventText.render(event));
            listener.on(event);
        })) {
            subscribe();
            while (!stopping) {
                watchdog.beat();
                turn();
            }
            commitAllForShutdown();
        } catch (RuntimeException | Error e) {
            fatal = e;
            throw e;
        } finally {
            end(fatal);
        }
    }

    /** The loop's first steps, for tests that drive the writer turn by turn on their own thread. */
    void begin() throws IOException {
        openHdfs();
        subscribe();
    }

    /** A graceful end (open batches committed), for tests that drive the writer turn by turn. */
    void finish() {
        commitAllForShutdown();
        end(null);
    }

    private void subscribe() {
        Consumer<byte[], byte[]> c = clients.newConsumer();
        consumer = c;
        partitions.useConsumer(c);
        c.subscribe(new ArrayList<>(partitions.topics()), new Rebalance(partitions, c, listener, new Rebalance.Outages() {
            @Override
            public boolean degraded() {
                return metrics.outageSince() != null;
            }

            @Override
            public void hdfsFailed(Exception e) {
                LakeWriter.this.hdfsFailed(e);
            }
        }));
        listener.on(new WriterEvent.Running(config.principal(), config.writerId(), List.copyOf(partitions.topics())));
    }

    /** One turn of the loop: renew the login, repair if due, poll, write what came, commit what is due. */
    void turn() {
        try {
            renewLogin();
            if (metrics.outageSince() != null) {
                tryRepair();
            }
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(partitions.untilNextRoll());
            } catch (WakeupException e) {
                return;
            }
            try {
                partitions.process(records);
                partitions.rollDueBatches();
            } catch (IOException | DataFileWriter.AppendWriteException e) {
                hdfsFailed(e);
            }
        } catch (RuntimeException e) {
            if (stopping) {
                return;
            }
            if (e instanceof FencedInstanceIdException) {
                // A newer process took this writer's static group membership: this one must end.
                throw e;
            }
            // A service keeps going: an unexpected failure (an HDFS client's unchecked exception, Kafka refusing a
            // poll, a bug) used to end this loop, and the writer sat STOPPED until someone restarted it. Its open
            // batches are abandoned and every partition is recovered from the raw zone after a backoff, as after an
            // HDFS outage, which is safe whatever state the failure left.
            failed(e);
        }
        publishStatus();
    }

    private void end(Throwable fatal) {
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the Kafka consumer failed: {}", e.toString());
            }
        }
        closeHdfsQuietly();
        if (fatal != null) {
            metrics.lastError(fatal.toString());
        }
        metrics.state(ServiceState.STOPPED, partitions.openFiles());
        metrics.write();
        listener.on(new WriterEvent.Stopped(fatal == null ? Optional.empty() : Optional.of(fatal.toString())));
    }

    private void renewLogin() {
        try {
            clients.renewLogin();
        } catch (IOException e) {
            String error = "Kerberos relogin failed: " + e.getMessage();
            metrics.lastError(error);
            LOG.warn(error);
        }
    }

    private void openHdfs() throws IOException {
        fs = clients.newFileSystem();
        partitions.useFileSystem(fs);
    }

    private void closeHdfsQuietly() {
        if (fs != null) {
            try {
                fs.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing HDFS client: {}", e.toString());
            }
        }
    }

    /** Stops the writer: open batches are committed, then the consumer leaves the group. */
    @Override
    public void close() {
        stopping = true;
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            if (thread != null && thread != Thread.currentThread()) {
                if (!finished.await(60, TimeUnit.SECONDS)) {
                    LOG.warn("lake-writer did not stop within 60 s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until the writer thread has finished. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public WriterStatus status() {
        return metrics.status();
    }

    // ------------------------------------------------------------------------------ failures

    private void hdfsFailed(Exception e) {
        degrade(e, OutageCause.HDFS, String.valueOf(e.getMessage()));
    }

    /** An unchecked exception escaped the loop: handled as an outage of unknown cause (the log has its stack). */
    private void failed(RuntimeException e) {
        LOG.error("the writer loop failed; abandoning open batches and recovering every partition after a backoff", e);
        degrade(e, OutageCause.ERROR, e.toString());
    }

    private static String causeName(OutageCause cause) {
        return cause == OutageCause.HDFS ? "HDFS" : "error";
    }

    /**
     * Abandons every open batch, pauses consumption (polling goes on, so the writer stays in its group) and
     * schedules a repair: a new HDFS client and each partition recovered from its manifests.
     */
    private void degrade(Exception e, OutageCause cause, String error) {
        metrics.lastError(causeName(cause) + ": " + e.getMessage());
        if (metrics.outageSince() == null) {
            metrics.outageStarted(Instant.now());
            outageCause = cause;
            // A failure right after a repair, before anything could be committed, is the same trouble again: keep
            // backing off instead of retrying every 250 ms for ever.
            repairBackoffMs = metrics.batchesCommitted() > batchesAtRepair ? FIRST_REPAIR_BACKOFF_MS
                    : Math.min(Math.max(FIRST_REPAIR_BACKOFF_MS, repairBackoffMs * 2), config.hdfsRetryBackoffMax().toMillis());
            listener.on(new WriterEvent.OutageStarted(cause, error));
            if (cause == OutageCause.HDFS) {
                LOG.warn("HDFS failed; pausing consumption and retrying", e);
            }
        }
        partitions.abandonAll();
        try {
            consumer.pause(consumer.assignment());
        } catch (RuntimeException pauseFailed) {
            LOG.warn("pausing the Kafka consumer failed: {}", pauseFailed.toString());
        }
        nextRepairNanos = nanoClock.getAsLong() + repairBackoffMs * 1_000_000L;
        metrics.state(ServiceState.DEGRADED, partitions.openFiles());
    }

    private void tryRepair() {
        if (nanoClock.getAsLong() - nextRepairNanos < 0) {
            return;
        }
        try {
            closeHdfsQuietly();
            openHdfs();
            partitions.recoverAll();
            consumer.resume(consumer.assignment());
            long seconds = Duration.between(metrics.outageSince(), Instant.now()).toSeconds();
            listener.on(new WriterEvent.OutageEnded(outageCause, seconds));
            metrics.outageEnded();
            batchesAtRepair = metrics.batchesCommitted();
        } catch (IOException | RuntimeException e) {
            metrics.lastError(causeName(outageCause) + ": " + e.getMessage());
            repairBackoffMs = Math.min(repairBackoffMs * 2, config.hdfsRetryBackoffMax().toMillis());
            nextRepairNanos = nanoClock.getAsLong() + repairBackoffMs * 1_000_000L;
            LOG.info("HDFS still unavailable ({}); next attempt in {} ms", e.toString(), repairBackoffMs);
        }
    }

    private void commitAllForShutdown() {
        if (metrics.outageSince() != null) {
            return;
        }
        try {
            partitions.commitAll();
        } catch (IOException | RuntimeException e) {
            LOG.warn("final commit failed; the next writer resumes from the last committed range: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------------------ status

    private void publishStatus() {
        if (!metrics.statusDue()) {
            return;
        }
        List<WriterStatus.PartitionStatus> figures = partitions.statuses();
        long lag = 0;
        for (WriterStatus.PartitionStatus p : figures) {
            if (p.lag() < 0) {
                lag = -1;
                break;
            }
            lag += p.lag();
        }
        metrics.publish(figures, lag, partitions.openFiles());
    }
}
