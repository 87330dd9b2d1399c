package io.securelake.lakewriter;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.ingest.schema.DatasetSchemas;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.lakewriter.internals.CommitHook;
import io.securelake.lakewriter.internals.Committed;
import io.securelake.lakewriter.internals.FencedException;
import io.securelake.lakewriter.internals.RawZoneCommitter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka partitions the writer owns and their open batches: routes each record to its partition's batch (one
 * temporary file per time partition), quarantines what cannot be decoded, and commits a batch through the
 * {@link RawZoneCommitter} when it is full, when it is due, when files must be freed, or when the partition is handed
 * over. Touched by the writer's thread only (Kafka runs rebalance callbacks inside its poll).
 */
final class Partitions {

    private static final Logger LOG = LoggerFactory.getLogger(Partitions.class);

    private final LakeWriterConfig config;
    private final String environment;
    private final WriterListener listener;
    private final WriterMetrics metrics;
    private final CommitHook hook;
    private final LongSupplier nanoClock;
    private final Map<String, DatasetLayout> layouts = new HashMap<>();
    private final Map<String, DatasetSchemas> schemas = new HashMap<>();
    private final Map<TopicPartition, PartitionState> states = new TreeMap<>(
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    private Consumer<byte[], byte[]> consumer;
    private FileSystem fs;
    private RawZoneCommitter committer;
    private Quarantine quarantine;

    Partitions(LakeWriterConfig config, Environment env, WriterListener listener, WriterMetrics metrics, CommitHook hook,
               LongSupplier nanoClock) {
        this.config = config;
        this.environment = env.name();
        this.listener = listener;
        this.metrics = metrics;
        this.hook = hook;
        this.nanoClock = nanoClock;
        SchemaCatalog catalog = SchemaCatalog.load(config.schemasDir());
        for (Dataset d : env.datasets()) {
            DatasetLayout layout = DatasetLayout.of(env, d);
            layouts.put(layout.topic(), layout);
            schemas.put(layout.topic(), catalog.dataset(d.name()));
        }
    }

    /** The environment's raw topics, sorted. */
    SortedSet<String> topics() {
        return new TreeSet<>(layouts.keySet());
    }

    void useConsumer(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** Commits and recoveries go through {@code fs} from now on (a new client after every outage). */
    void useFileSystem(FileSystem fs) throws IOException {
        this.fs = fs;
        // The manifest's rename must be atomic and refuse an existing target: FileContext offers that, FileSystem not publicly.
        FileContext fc = FileContext.getFileContext(fs.getUri(), fs.getConf());
        this.committer = new RawZoneCommitter(fs, fc, config.writerId(), config.manifestsRetained(), hook, nanoClock);
        this.quarantine = new Quarantine(fs, fc, environment, config.writerId());
    }

    // ------------------------------------------------------------------------------ ownership

    /** Kafka assigned the partition: it is held from now on, awaiting recovery. */
    PartitionState assign(TopicPartition tp) {
        PartitionState st = new PartitionState(tp, layouts.get(tp.topic()), new EventDecoder(schemas.get(tp.topic())),
                new OpenBatch.FileFormat(schemas.get(tp.topic()).latest().wire(), config.avroCodec(), tp, config.writerId()));
        states.put(tp, st);
        listener.on(new WriterEvent.Assigned(tp));
        return st;
    }

    /** The partition is no longer held; null if it was not. Its batch is the caller's to commit or abort. */
    PartitionState release(TopicPartition tp) {
        return states.remove(tp);
    }

    /** Re-derives a partition's position from the raw zone and seeks the consumer there. */
    void recover(PartitionState st) throws IOException {
        abort(st);
        st.chain = committer.recover(st.layout, st.tp);
        st.needsRecovery = false;
        st.repositioned = true;
        long next = st.chain.next();
        if (next >= 0) {
            consumer.seek(st.tp, next);
        } else {
            consumer.seekToBeginning(List.of(st.tp));
        }
        listener.on(new WriterEvent.RecoveryCompleted(st.tp, next));
    }

    /** Recovers every partition an outage left unrecovered. */
    void recoverAll() throws IOException {
        for (PartitionState st : states.values()) {
            if (st.needsRecovery) {
                recover(st);
            }
        }
    }

    /** An outage: every open batch is dropped and every partition must be recovered before it is consumed again. */
    void abandonAll() {
        for (PartitionState st : states.values()) {
            abort(st);
            st.needsRecovery = true;
        }
    }

    /** Drops the partition's open batch; its temporary files are left for the sweep (HDFS may be unreachable now). */
    void abort(PartitionState st) {
        OpenBatch b = st.batch;
        st.batch = null;
        if (b != null) {
            b.abandon();
        }
    }

    /** Graceful stop: commits every open batch that can be. */
    void commitAll() throws IOException {
        for (PartitionState st : states.values()) {
            if (st.batch != null && !st.needsRecovery) {
                commitOrResync(st);
            }
        }
    }

    // ------------------------------------------------------------------------------ records

    void process(ConsumerRecords<byte[], byte[]> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        // Seeks made during poll (assignment) already apply to what it returned.
        states.values().forEach(s -> s.repositioned = false);
        for (TopicPartition tp : records.partitions()) {
            PartitionState st = states.get(tp);
            if (st == null || st.needsRecovery) {
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> rec : records.records(tp)) {
                if (st.needsRecovery || st.repositioned) {
                    break;
                }
                accept(st, rec);
            }
        }
    }

    private void accept(PartitionState st, ConsumerRecord<byte[], byte[]> rec) throws IOException {
        if (st.next() >= 0 && rec.offset() < st.next()) {
            return; // already in a committed range (fetched before a seek took effect)
        }
        EventDecoder.Decoded decoded;
        try {
            decoded = st.decoder.decode(rec.value());
        } catch (EventDecoder.UndecodableEventException e) {
            OpenBatch b = ensureBatch(st, rec.offset());
            if (quarantine.write(st.layout, rec, e.getMessage())) {
                metrics.quarantined();
                listener.on(new WriterEvent.Quarantined(st.tp, rec.offset(), e.getMessage()));
            }
            b.quarantined(rec.offset());
            return;
        }
        long time = decoded.eventTimeMillis() >= 0 ? decoded.eventTimeMillis() : rec.timestamp();
        long bucket = Math.floorDiv(time, 3_600_000L);
        if (bucket != st.cachedBucket) {
            st.cachedBucket = bucket;
            st.cachedPartition = st.layout.timePartition(time);
        }
        String timePartition = st.cachedPartition;
        OpenBatch b = ensureBatch(st, rec.offset());
        if (!b.hasFile(timePartition)) {
            if (openFiles() >= config.maxOpenFiles()) {
                makeRoom();
                if (st.needsRecovery || st.repositioned) {
                    return;
                }
                b = ensureBatch(st, rec.offset());
            }
            b.openFile(timePartition);
        }
        if (decoded.sameAsFileSchema()) {
            b.appendEncoded(timePartition, rec.offset(), rec.value(), EventEncoding.HEADER_LENGTH, rec.value().length);
        } else {
            b.append(timePartition, rec.offset(), decoded.record(), rec.value().length);
        }
        if (b.bytes() >= config.rollMaxBytes()) {
            commitOrResync(st);
        }
    }

    private OpenBatch ensureBatch(PartitionState st, long offset) {
        if (st.batch == null) {
            // The range starts where the committed chain ends, so ranges stay contiguous even across gaps.
            long first = st.next() >= 0 ? st.next() : offset;
            st.batch = new OpenBatch(fs, st.format, first, st.chain.batchDir(first, config.writerId()), nanoClock.getAsLong());
        }
        return st.batch;
    }

    /** Files open across all partitions' batches. */
    int openFiles() {
        int n = 0;
        for (PartitionState st : states.values()) {
            n += st.openFiles();
        }
        return n;
    }

    /** Commits the oldest batch holding files until a file can be opened (bounds memory and handles). */
    private void makeRoom() throws IOException {
        while (openFiles() >= config.maxOpenFiles()) {
            PartitionState oldest = null;
            for (PartitionState s : states.values()) {
                if (s.openFiles() > 0 && (oldest == null || s.batch.startedNanos() < oldest.batch.startedNanos())) {
                    oldest = s;
                }
            }
            if (oldest == null) {
                return;
            }
            commitOrResync(oldest);
        }
    }

    /**
     * The poll timeout, shortened to when the oldest open batch is due: otherwise an idle partition's last batch
     * would wait up to a whole poll timeout past its roll interval before becoming visible.
     */
    Duration untilNextRoll() {
        long timeout = config.pollTimeout().toNanos();
        long now = nanoClock.getAsLong();
        for (PartitionState st : states.values()) {
            if (st.batch != null && !st.needsRecovery) {
                timeout = Math.min(timeout, st.batch.startedNanos() + config.rollInterval().toNanos() - now);
            }
        }
        // Whole milliseconds, rounded up: Kafka truncates, and a remainder under 1 ms would poll(0) in a spin.
        return Duration.ofMillis(Math.max(0, (timeout + 999_999) / 1_000_000));
    }

    void rollDueBatches() throws IOException {
        long now = nanoClock.getAsLong();
        for (PartitionState st : new ArrayList<>(states.values())) {
            if (st.batch != null && !st.needsRecovery && now - st.batch.startedNanos() >= config.rollInterval().toNanos()) {
                commitOrResync(st);
            }
        }
    }

    private void commitOrResync(PartitionState st) throws IOException {
        try {
            commit(st);
        } catch (FencedException e) {
            listener.on(new WriterEvent.Fenced(st.tp, e.firstOffset(), e.lastOffset()));
            LOG.warn("{}: {}", st.tp, e.getMessage());
            recover(st);
        }
    }

    /** Commits the partition's open batch, if it holds anything; the partition has no batch afterwards, whatever happens. */
    void commit(PartitionState st) throws IOException, FencedException {
        OpenBatch b = st.batch;
        if (b == null) {
            return;
        }
        if (b.lastOffset() < 0) {
            abort(st);
            return;
        }
        Committed c;
        try {
            c = committer.commit(st.chain, b, next -> publishNext(st.tp, next));
        } finally {
            // Committed, fenced (its files deleted) or failed (the partition is recovered next): never committed again.
            abort(st);
        }
        metrics.committed(c, b.bytes());
        listener.on(new WriterEvent.BatchCommitted(c.partition(), c.firstOffset(), c.lastOffset(), c.files(), c.events(),
                c.quarantined(), new WriterEvent.CommitTimings(c.totalNanos() / 1_000_000, c.closeNanos() / 1_000_000,
                c.manifestNanos() / 1_000_000, c.applyNanos() / 1_000_000, c.pruneNanos() / 1_000_000)));
    }

    /** Hands the chain's end to Kafka: for lag monitoring only, the raw zone is where offsets are recovered from. */
    private void publishNext(TopicPartition tp, long next) {
        try {
            consumer.commitAsync(Map.of(tp, new OffsetAndMetadata(next)), (offsets, error) -> {
                if (error != null) {
                    LOG.debug("lag-only offset commit failed: {}", error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("lag-only offset commit failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------------------ status

    /** Each held partition's figures, with the consumer's lag (-1 where unknown). */
    List<WriterStatus.PartitionStatus> statuses() {
        List<WriterStatus.PartitionStatus> out = new ArrayList<>();
        for (PartitionState st : states.values()) {
            var l = consumer.currentLag(st.tp);
            out.add(new WriterStatus.PartitionStatus(st.tp.topic(), st.tp.partition(), st.next(),
                    l.isPresent() ? l.getAsLong() : -1, st.openBatchEvents()));
        }
        return out;
    }
}
