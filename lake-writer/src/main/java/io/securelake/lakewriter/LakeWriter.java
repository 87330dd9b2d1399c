package io.securelake.lakewriter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.kerberos.Jaas;
import io.securelake.kerberos.KerberosJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes an environment's raw topics and writes the raw zone exactly once (docs/RAW-ZONE.md).
 *
 * <p>Offsets live with the data: per Kafka partition, events accumulate in a <em>batch</em> covering a
 * contiguous offset range, written to temporary Avro files (one per time partition). To commit, the files
 * are hsync'ed and closed, a manifest naming the range and files is written, and the manifest is renamed
 * — atomically and only if absent — to {@code _commits/<partition>/<first offset>.json}. That rename is
 * the commit point; the files are then renamed into {@code dt=…/hr=…/}, which whoever recovers next
 * completes if the writer dies in between. On (re)assignment the writer reads the newest manifest, finishes
 * its renames, deletes dead temporary files and seeks to the offset after it. Because a manifest name can
 * be taken only once, a zombie writer that still holds a partition after a rebalance loses the race for
 * the next range and drops its batch: no range is ever committed twice.
 *
 * <p>Single-threaded: the Kafka consumer, HDFS and the files are touched by the writer thread only.
 */
public final class LakeWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LakeWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SWEEP_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    private final LakeWriterConfig config;
    private final Environment env;
    private final Consumer<String> events;
    private final Map<String, DatasetLayout> layouts = new HashMap<>();
    private final Map<String, io.securelake.ingest.schema.DatasetSchemas> schemas = new HashMap<>();
    private final java.util.Set<Path> knownDirectories = new java.util.HashSet<>();
    private final Map<TopicPartition, PartitionState> states = new TreeMap<>(
            java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    private final Configuration hadoopConf;
    private final Instant startedAt = Instant.now();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile WriterStatus status;
    private volatile Thread thread;

    private UserGroupInformation ugi;
    private FileSystem fs;
    private FileContext fc;
    private KafkaConsumer<byte[], byte[]> consumer;
    private int openFiles;

    private long eventsCommitted;
    private long bytesCommitted;
    private long filesCommitted;
    private long batchesCommitted;
    private long quarantined;
    private Instant lastCommitAt;
    private Instant hdfsUnavailableSince;
    private long nextRepairNanos;
    private long repairBackoffMs;
    /** Why the writer is degraded: {@code HDFS} (an I/O failure) or {@code error} (an unexpected exception). */
    private String degradedCause = "HDFS";
    /** A batch was committed since the last repair (or there was none yet): the next failure is a new one. */
    private boolean committedSinceRepair = true;
    private String lastError;
    private long lastStatusNanos;
    private long lastStatusEvents;
    private long lastStatusBytes;

    /** A commit lost the race for its manifest name: another writer committed that range first. */
    static final class FencedException extends Exception {
        FencedException(String message) {
            super(message);
        }
    }

    private static final class OpenFile {
        final String timePartition;
        final Path tmp;
        final FSDataOutputStream out;
        final DataFileWriter<GenericRecord> writer;
        long records;

        OpenFile(String timePartition, Path tmp, FSDataOutputStream out, DataFileWriter<GenericRecord> writer) {
            this.timePartition = timePartition;
            this.tmp = tmp;
            this.out = out;
            this.writer = writer;
        }
    }

    private static final class Batch {
        final long first;
        final Path tmpDir;
        final long startedNanos = System.nanoTime();
        final Map<String, OpenFile> files = new LinkedHashMap<>();
        long last = -1;
        long bytes;
        long records;
        long quarantined;

        Batch(long first, Path tmpDir) {
            this.first = first;
            this.tmpDir = tmpDir;
        }
    }

    private static final class PartitionState {
        final TopicPartition tp;
        final DatasetLayout layout;
        final EventDecoder decoder;
        long next = -1;
        boolean needsRecovery = true;
        /** Set when the consumer was re-positioned mid-poll: the rest of that poll's records are stale. */
        boolean repositioned;
        Batch batch;
        /** First offsets of this partition's manifests on HDFS, oldest first: known since recovery, so pruning needs no listing. */
        final ArrayDeque<Long> manifests = new ArrayDeque<>();
        /** When to look again for temporaries a fenced or crashed writer left (recovery looks too). */
        long nextSweepNanos;
        long cachedBucket = Long.MIN_VALUE;
        String cachedPartition;

        PartitionState(TopicPartition tp, DatasetLayout layout, EventDecoder decoder) {
            this.tp = tp;
            this.layout = layout;
            this.decoder = decoder;
        }
    }

    private LakeWriter(LakeWriterConfig config, Environment env, Consumer<String> events) {
        this.config = config;
        this.env = env;
        this.events = events;
        SchemaCatalog catalog = SchemaCatalog.load(config.schemasDir());
        for (Dataset d : env.datasets()) {
            DatasetLayout layout = DatasetLayout.of(env, d);
            layouts.put(layout.topic(), layout);
            schemas.put(layout.topic(), catalog.dataset(d.name()));
        }
        this.hadoopConf = hadoopConfiguration(config);
        this.status = snapshot("starting");
    }

    /**
     * @param events receives one line per notable step (assigned, recovered, committed, quarantined,
     *               HDFS unavailable/back); the process main prints them
     */
    public static LakeWriter create(LakeWriterConfig config, Environment env, Consumer<String> events) {
        if (!env.name().equals(config.environment())) {
            throw new IllegalArgumentException("configuration is for environment '" + config.environment()
                    + "' but the definition loaded is '" + env.name() + "'");
        }
        return new LakeWriter(config, env, Objects.requireNonNull(events, "events"));
    }

    /** Client settings for a Kerberized HDFS with encrypted RPC and block transfer. */
    static Configuration hadoopConfiguration(LakeWriterConfig config) {
        Configuration conf = new org.apache.hadoop.hdfs.HdfsConfiguration();
        io.securelake.envs.HadoopClientSettings.kerberized(config.nameNode(), config.nameNodePrincipal()).forEach(conf::set);
        // The client needs no group lookups; never shell out for them.
        conf.set("hadoop.security.group.mapping", "org.apache.hadoop.security.NullGroupsMapping");
        conf.setBoolean("fs.hdfs.impl.disable.cache", true);
        // Raw files readable by the ETL group only: directories 750, files 640.
        conf.set("fs.permissions.umask-mode", "027");
        // Closing a file waits until the NameNode has the last block: ask again after 10 ms, doubling, 10 times
        // (10.2 s in all), instead of Hadoop's first wait of 400 ms. The writer closes files on its one thread,
        // two per commit, and half of the closes had to ask twice: 50 ms first waits were a quarter of a commit.
        conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);
        conf.setInt("dfs.client.block.write.locateFollowingBlock.retries", 10);
        config.hadoopOverrides().forEach(conf::set);
        return conf;
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(io.securelake.envs.KafkaClientSettings.kerberized(config.bootstrapServers(), config.caPem(), env.kerberos()));
        p.put(SaslConfigs.SASL_JAAS_CONFIG, Jaas.keytabLoginModule(config.principal(), config.keytab()));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, env.names().lakeWriterConsumerGroup());
        config.groupInstanceId().ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "lake-writer-" + env.name() + "-" + config.writerId());
        // Offsets are recovered from the raw zone; Kafka's copy is only for lag monitoring.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(config.fetchMaxBytes()));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(config.maxPartitionFetchBytes()));
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(config.sessionTimeoutMs()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(Math.max(1000, config.sessionTimeoutMs() / 5)));
        return p;
    }

    // ------------------------------------------------------------------------------ lifecycle

    /** Runs the writer on a new thread; returns at once. */
    public LakeWriter start() {
        Thread t = new Thread(this::run, "lake-writer-" + env.name());
        thread = t;
        t.start();
        return this;
    }

    /** Runs the writer on this thread until {@link #close()}; throws if it cannot start at all. */
    public void run() {
        try {
            config.krb5Conf().ifPresent(KerberosJvm::useKrb5Conf);
            UserGroupInformation.setConfiguration(hadoopConf);
            try {
                ugi = UserGroupInformation.loginUserFromKeytabAndReturnUGI(config.principal(), config.keytab().toString());
            } catch (IOException e) {
                throw new IllegalStateException("Kerberos login as " + config.principal() + " from " + config.keytab()
                        + " failed: " + e.getMessage(), e);
            }
            ugi.doAs((PrivilegedExceptionAction<Void>) () -> {
                loop();
                return null;
            });
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("lake-writer failed: " + e.getMessage(), e);
        } finally {
            finished.countDown();
        }
    }

    private void loop() throws IOException {
        openHdfs();
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Throwable fatal = null;
        try (LoopWatchdog watchdog = new LoopWatchdog(Thread.currentThread(), config.stallWarning(), line -> {
            LOG.warn(line);
            events.accept(line);
        })) {
            consumer.subscribe(new ArrayList<>(layouts.keySet()), new Rebalance());
            events.accept("RUNNING as " + config.principal() + " writer=" + config.writerId()
                    + " topics=" + new java.util.TreeSet<>(layouts.keySet()));
            while (!stopping) {
                watchdog.beat();
                try {
                    reloginIfNeeded();
                    if (hdfsUnavailableSince != null) {
                        tryRepair();
                    }
                    ConsumerRecords<byte[], byte[]> records;
                    try {
                        records = consumer.poll(untilNextRoll());
                    } catch (WakeupException e) {
                        continue;
                    }
                    process(records);
                    rollDueBatches();
                } catch (RuntimeException e) {
                    if (stopping) {
                        break;
                    }
                    if (e instanceof org.apache.kafka.common.errors.FencedInstanceIdException) {
                        // A newer process took this writer's static group membership: this one must end.
                        throw e;
                    }
                    // A service keeps going: an unexpected failure (an HDFS client's unchecked exception, Kafka
                    // refusing a poll, a bug) used to end this loop, and the writer sat STOPPED until someone
                    // restarted it. Its open batches are abandoned and every partition is recovered from the raw
                    // zone after a backoff, as after an HDFS outage, which is safe whatever state the failure left.
                    failed(e);
                }
                maybeWriteStatus(false);
            }
            commitAllForShutdown();
        } catch (RuntimeException | Error e) {
            fatal = e;
            throw e;
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the Kafka consumer failed: {}", e.toString());
            }
            closeHdfsQuietly();
            if (fatal != null) {
                lastError = fatal.toString();
            }
            status = snapshot("stopped");
            writeStatusQuietly();
            events.accept(fatal == null ? "STOPPED" : "STOPPED after " + fatal);
        }
    }

    private void reloginIfNeeded() {
        try {
            // Cheap when the TGT is fresh; renews from the keytab before it expires (runs for days).
            ugi.checkTGTAndReloginFromKeytab();
        } catch (IOException e) {
            lastError = "Kerberos relogin failed: " + e.getMessage();
            LOG.warn(lastError);
        }
    }

    private void openHdfs() throws IOException {
        fs = FileSystem.newInstance(hadoopConf);
        fc = FileContext.getFileContext(hadoopConf);
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
        KafkaConsumer<byte[], byte[]> c = consumer;
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
        return status;
    }

    // ------------------------------------------------------------------------------ processing

    private void process(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        // Seeks made during poll (assignment) already apply to what it returned.
        states.values().forEach(s -> s.repositioned = false);
        try {
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
        } catch (IOException | DataFileWriter.AppendWriteException e) {
            hdfsFailed(e);
        }
    }

    private void accept(PartitionState st, ConsumerRecord<byte[], byte[]> rec) throws IOException {
        if (st.next >= 0 && rec.offset() < st.next) {
            return; // already in a committed range (fetched before a seek took effect)
        }
        EventDecoder.Decoded decoded;
        try {
            decoded = st.decoder.decode(rec.value());
        } catch (EventDecoder.UndecodableEventException e) {
            Batch b = ensureBatch(st, rec.offset());
            quarantine(st, rec, e.getMessage());
            b.quarantined++;
            b.last = rec.offset();
            return;
        }
        long time = decoded.eventTimeMillis() >= 0 ? decoded.eventTimeMillis() : rec.timestamp();
        long bucket = Math.floorDiv(time, 3_600_000L);
        if (bucket != st.cachedBucket) {
            st.cachedBucket = bucket;
            st.cachedPartition = st.layout.timePartition(time);
        }
        String timePartition = st.cachedPartition;
        Batch b = ensureBatch(st, rec.offset());
        OpenFile file = b.files.get(timePartition);
        if (file == null) {
            if (openFiles >= config.maxOpenFiles()) {
                makeRoom();
                if (st.needsRecovery || st.repositioned) {
                    return;
                }
                b = ensureBatch(st, rec.offset());
            }
            file = open(st, b, timePartition);
        }
        if (decoded.sameAsFileSchema()) {
            file.writer.appendEncoded(ByteBuffer.wrap(rec.value(), io.securelake.ingest.schema.EventEncoding.HEADER_LENGTH,
                    rec.value().length - io.securelake.ingest.schema.EventEncoding.HEADER_LENGTH));
        } else {
            file.writer.append(decoded.record());
        }
        file.records++;
        b.records++;
        b.bytes += rec.value().length;
        b.last = rec.offset();
        if (b.bytes >= config.rollMaxBytes()) {
            commitOrResync(st);
        }
    }

    private Batch ensureBatch(PartitionState st, long offset) {
        if (st.batch == null) {
            // The range starts where the committed chain ends, so ranges stay contiguous even across gaps.
            long first = st.next >= 0 ? st.next : offset;
            st.batch = new Batch(first, st.layout.tmpBatchDir(st.tp.partition(), first, config.writerId()));
        }
        return st.batch;
    }

    private OpenFile open(PartitionState st, Batch b, String timePartition) throws IOException {
        Path tmp = new Path(b.tmpDir, timePartition.replace('/', '_') + ".avro");
        FSDataOutputStream out = fs.create(tmp, true);
        DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(st.decoder.fileSchema()));
        writer.setCodec(config.avroCodec().equals("deflate") ? CodecFactory.deflateCodec(1) : CodecFactory.nullCodec());
        writer.setMeta("securelake.topic", st.tp.topic());
        writer.setMeta("securelake.partition", Integer.toString(st.tp.partition()));
        writer.setMeta("securelake.writer", config.writerId());
        writer.create(st.decoder.fileSchema(), out);
        OpenFile f = new OpenFile(timePartition, tmp, out, writer);
        b.files.put(timePartition, f);
        openFiles++;
        return f;
    }

    /** Commits the oldest batch holding files until a file can be opened (bounds memory and handles). */
    private void makeRoom() throws IOException {
        while (openFiles >= config.maxOpenFiles()) {
            PartitionState oldest = null;
            for (PartitionState s : states.values()) {
                if (s.batch != null && !s.batch.files.isEmpty()
                        && (oldest == null || s.batch.startedNanos < oldest.batch.startedNanos)) {
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
     * The poll timeout, shortened to when the oldest open batch is due: otherwise an idle partition's last
     * batch would wait up to a whole poll timeout past its roll interval before becoming visible.
     */
    private Duration untilNextRoll() {
        long timeout = config.pollTimeout().toNanos();
        long now = System.nanoTime();
        for (PartitionState st : states.values()) {
            if (st.batch != null && !st.needsRecovery) {
                timeout = Math.min(timeout, st.batch.startedNanos + config.rollInterval().toNanos() - now);
            }
        }
        // Whole milliseconds, rounded up: Kafka truncates, and a remainder under 1 ms would poll(0) in a spin.
        return Duration.ofMillis(Math.max(0, (timeout + 999_999) / 1_000_000));
    }

    private void rollDueBatches() {
        long now = System.nanoTime();
        try {
            for (PartitionState st : new ArrayList<>(states.values())) {
                if (st.batch != null && !st.needsRecovery
                        && now - st.batch.startedNanos >= config.rollInterval().toNanos()) {
                    commitOrResync(st);
                }
            }
        } catch (IOException | DataFileWriter.AppendWriteException e) {
            hdfsFailed(e);
        }
    }

    private void commitOrResync(PartitionState st) throws IOException {
        try {
            commit(st);
        } catch (FencedException e) {
            events.accept("FENCED " + st.tp + ": " + e.getMessage());
            LOG.warn("{}: {}", st.tp, e.getMessage());
            recover(st);
        }
    }

    // ------------------------------------------------------------------------------ commit protocol

    private void commit(PartitionState st) throws IOException, FencedException {
        Batch b = st.batch;
        if (b == null) {
            return;
        }
        if (b.last < 0) {
            st.batch = null;
            return;
        }
        DatasetLayout layout = st.layout;
        int p = st.tp.partition();
        long t0 = System.nanoTime();
        List<CommitManifest.FileEntry> entries = new ArrayList<>();
        for (OpenFile f : b.files.values()) {
            // Durable and complete before anything can point at it.
            f.writer.flush();
            f.out.hsync();
            f.writer.close();
            entries.add(new CommitManifest.FileEntry(relative(layout, f.tmp),
                    DatasetLayout.finalFileName(f.timePartition, p, b.first, b.last), f.records));
        }
        // Counted out only once all are closed: if one fails, abortBatch counts out the whole batch.
        openFiles -= b.files.size();
        b.files.clear();
        long t1 = System.nanoTime();
        CommitManifest manifest = new CommitManifest(st.tp.topic(), p, b.first, b.last, config.writerId(),
                Instant.now(), b.records, b.quarantined, entries);
        Path tmpManifest = layout.manifestTmp(p, b.first, config.writerId());
        DurableFiles.write(fs, tmpManifest, manifest.toJson());
        try {
            // The commit point: atomic, and refused if another writer already committed this range start.
            fc.rename(tmpManifest, layout.manifest(p, b.first), Options.Rename.NONE);
        } catch (FileAlreadyExistsException e) {
            fs.delete(tmpManifest, false);
            fs.delete(b.tmpDir, true);
            st.batch = null;
            throw new FencedException("offsets from " + b.first + " were committed by another writer; dropping "
                    + "this writer's batch [" + b.first + ", " + b.last + "]");
        }
        long t2 = System.nanoTime();
        st.manifests.addLast(b.first);
        apply(layout, manifest, true);
        fs.delete(b.tmpDir, true);
        st.batch = null;
        st.next = b.last + 1;
        long t3 = System.nanoTime();
        prune(st);
        long t4 = System.nanoTime();
        eventsCommitted += b.records;
        bytesCommitted += b.bytes;
        filesCommitted += entries.size();
        batchesCommitted++;
        lastCommitAt = manifest.committedAt();
        committedSinceRepair = true;
        try {
            consumer.commitAsync(Map.of(st.tp, new OffsetAndMetadata(st.next)), (offsets, error) -> {
                if (error != null) {
                    LOG.debug("lag-only offset commit failed: {}", error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("lag-only offset commit failed: {}", e.toString());
        }
        events.accept("COMMITTED " + st.tp + " [" + b.first + ", " + b.last + "] files=" + entries.size()
                + " records=" + b.records + " quarantined=" + b.quarantined
                + String.format(" ms=%d close=%d manifest=%d apply=%d prune=%d", (t4 - t0) / 1_000_000, (t1 - t0) / 1_000_000,
                (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000));
    }

    private static String relative(DatasetLayout layout, Path p) {
        String root = layout.raw().toUri().getPath() + "/";
        String path = p.toUri().getPath();
        return path.startsWith(root) ? path.substring(root.length()) : path;
    }

    /** Moves a committed manifest's files into place; idempotent, so any writer may finish it. */
    private void apply(DatasetLayout layout, CommitManifest m, boolean freshCommit) throws IOException {
        for (CommitManifest.FileEntry e : m.files()) {
            Path tmp = new Path(layout.raw(), e.tmp());
            Path target = new Path(layout.raw(), e.finalName());
            if (!freshCommit && !fs.exists(tmp)) {
                if (!fs.exists(target)) {
                    throw new IllegalStateException("commit manifest " + m.topic() + "-" + m.partition() + " ["
                            + m.firstOffset() + ", " + m.lastOffset() + "] lists " + e.tmp() + ", but neither it nor "
                            + e.finalName() + " exists: the raw zone was changed outside the writer");
                }
                continue;
            }
            Path dir = target.getParent();
            boolean known = knownDirectories.contains(dir);
            if (!known) {
                fs.mkdirs(dir);
                rememberDirectory(dir);
            }
            if (fs.rename(tmp, target)) {
                continue;
            }
            if (known) {
                // The directory went since (e.g. retention removed an old partition): create it again.
                fs.mkdirs(dir);
                if (fs.rename(tmp, target)) {
                    continue;
                }
            }
            if (!(fs.exists(target) && !fs.exists(tmp))) {
                throw new IOException("cannot move " + tmp + " to " + target);
            }
        }
    }

    /** Time-partition directories this writer made: a commit renames into them without asking again. */
    private void rememberDirectory(Path dir) {
        if (knownDirectories.size() >= 1_024) {
            knownDirectories.clear();
        }
        knownDirectories.add(dir);
    }

    /**
     * Deletes manifests beyond the retained few and, once a minute, temporary batches that can no longer commit.
     * A commit costs a handful of NameNode calls; listing directories on each one doubled them.
     */
    private void prune(PartitionState st) throws IOException {
        pruneManifests(st);
        if (System.nanoTime() - st.nextSweepNanos >= 0) {
            deleteDeadTemporaries(st.layout, st.tp.partition(), st.next);
            st.nextSweepNanos = System.nanoTime() + SWEEP_INTERVAL_NANOS;
        }
    }

    /** Deletes this partition's oldest manifests beyond the retained count (the newest two always stay). */
    private void pruneManifests(PartitionState st) throws IOException {
        while (st.manifests.size() > config.manifestsRetained()) {
            fs.delete(st.layout.manifest(st.tp.partition(), st.manifests.peekFirst()), false);
            st.manifests.removeFirst();
        }
    }

    private TreeMap<Long, Path> listManifests(DatasetLayout layout, int partition) throws IOException {
        TreeMap<Long, Path> manifests = new TreeMap<>();
        for (FileStatus s : fs.listStatus(layout.commitsDir(partition))) {
            DatasetLayout.manifestFirstOffset(s.getPath().getName()).ifPresent(first -> manifests.put(first, s.getPath()));
        }
        return manifests;
    }

    /** A temporary batch or manifest starting below the committed chain's end can never commit: delete it. */
    private void deleteDeadTemporaries(DatasetLayout layout, int p, long next) throws IOException {
        if (next < 0) {
            return;
        }
        Path tmpDir = layout.tmpPartitionDir(p);
        if (fs.exists(tmpDir)) {
            for (FileStatus s : fs.listStatus(tmpDir)) {
                var first = DatasetLayout.tmpBatchFirstOffset(s.getPath().getName());
                if (first.isPresent() && first.get() < next) {
                    fs.delete(s.getPath(), true);
                }
            }
        }
        String prefix = p + "-";
        for (FileStatus s : fs.listStatus(layout.commitsTmpDir())) {
            String name = s.getPath().getName();
            if (name.startsWith(prefix)) {
                String[] parts = name.split("-", 3);
                if (parts.length == 3 && parts[1].matches("[0-9]{20}") && Long.parseLong(parts[1]) < next) {
                    fs.delete(s.getPath(), false);
                }
            }
        }
    }

    /** Re-derives a partition's position from the raw zone and seeks the consumer there. */
    private void recover(PartitionState st) throws IOException {
        abortBatch(st);
        DatasetLayout layout = st.layout;
        int p = st.tp.partition();
        fs.mkdirs(layout.commitsDir(p));
        fs.mkdirs(layout.commitsTmpDir());
        TreeMap<Long, Path> manifests = listManifests(layout, p);
        long next = -1;
        // Only the newest manifests can have unfinished renames: a writer finishes (or recovery finishes)
        // one batch's renames before the next range can be committed.
        List<Path> newest = new ArrayList<>(manifests.descendingMap().values()).subList(0, Math.min(2, manifests.size()));
        for (int i = newest.size() - 1; i >= 0; i--) {
            CommitManifest m;
            try (var in = fs.open(newest.get(i))) {
                m = CommitManifest.parse(in.readAllBytes());
            }
            apply(layout, m, false);
            next = Math.max(next, m.lastOffset() + 1);
        }
        deleteDeadTemporaries(layout, p, next);
        // The first commit after a recovery sweeps again: a previous owner, paused past its session, may still
        // hold a batch starting at `next`; deleting its temporaries then makes its own commit fail, before the
        // count-based pruning can remove the manifest whose name fences it (as sweeping at every commit did).
        st.nextSweepNanos = System.nanoTime();
        st.manifests.clear();
        st.manifests.addAll(manifests.keySet());
        pruneManifests(st); // a crash between a commit and its pruning left one too many
        st.next = next;
        st.needsRecovery = false;
        st.repositioned = true;
        if (next >= 0) {
            consumer.seek(st.tp, next);
        } else {
            consumer.seekToBeginning(List.of(st.tp));
        }
        events.accept("RECOVERED " + st.tp + " next=" + (next >= 0 ? Long.toString(next) : "beginning"));
    }

    private void abortBatch(PartitionState st) {
        Batch b = st.batch;
        st.batch = null;
        if (b == null) {
            return;
        }
        for (OpenFile f : b.files.values()) {
            openFiles--;
            try {
                f.writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing aborted file {}: {}", f.tmp, e.toString());
            }
        }
        // The temporary files are left for deleteDeadTemporaries: HDFS may be unreachable right now.
    }

    private void quarantine(PartitionState st, ConsumerRecord<byte[], byte[]> rec, String reason) throws IOException {
        DatasetLayout layout = st.layout;
        Path target = layout.quarantineFile(st.tp.partition(), rec.offset());
        ObjectNode n = JSON.createObjectNode();
        n.put("quarantine_version", 1);
        n.put("environment", env.name());
        n.put("dataset", layout.dataset().name());
        n.put("topic", rec.topic());
        n.put("partition", rec.partition());
        n.put("offset", rec.offset());
        n.put("kafka_timestamp", Instant.ofEpochMilli(rec.timestamp()).toString());
        n.put("reason", reason);
        n.put("writer", config.writerId());
        byte[] value = rec.value() == null ? new byte[0] : rec.value();
        n.put("value_length", value.length);
        n.put("value_sha256", sha256(value));
        // Kept for audit and replay; the quarantine directory is readable by the lake-writer only.
        n.put("value_base64", Base64.getEncoder().encodeToString(value));
        if (rec.key() != null) {
            n.put("key_base64", Base64.getEncoder().encodeToString(rec.key()));
        }
        Path tmp = new Path(layout.quarantine(), "_tmp/" + target.getName() + "." + config.writerId());
        DurableFiles.write(fs, tmp, n.toString().getBytes(StandardCharsets.UTF_8));
        try {
            fc.rename(tmp, target, Options.Rename.NONE);
            quarantined++;
            events.accept("QUARANTINED " + st.tp + " offset=" + rec.offset() + ": " + reason);
        } catch (FileAlreadyExistsException e) {
            fs.delete(tmp, false); // an earlier attempt already quarantined it: idempotent
        }
    }

    private static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------ failures

    private void hdfsFailed(Exception e) {
        degrade(e, "HDFS", "HDFS UNAVAILABLE: " + e.getMessage());
    }

    /** An unchecked exception escaped the loop: handled as an outage of unknown cause (the log has its stack). */
    private void failed(RuntimeException e) {
        LOG.error("the writer loop failed; abandoning open batches and recovering every partition after a backoff", e);
        degrade(e, "error", "FAILED " + e + "; abandoning open batches, recovering from the raw zone after a backoff");
    }

    /**
     * Abandons every open batch, pauses consumption (polling goes on, so the writer stays in its group) and
     * schedules a repair: a new HDFS client and each partition recovered from its manifests.
     */
    private void degrade(Exception e, String cause, String line) {
        lastError = cause + ": " + e.getMessage();
        if (hdfsUnavailableSince == null) {
            hdfsUnavailableSince = Instant.now();
            degradedCause = cause;
            // A failure right after a repair, before anything could be committed, is the same trouble again: keep
            // backing off instead of retrying every 250 ms for ever.
            repairBackoffMs = committedSinceRepair ? 250
                    : Math.min(Math.max(250, repairBackoffMs * 2), config.hdfsRetryBackoffMax().toMillis());
            events.accept(line);
            if (cause.equals("HDFS")) {
                LOG.warn("HDFS failed; pausing consumption and retrying", e);
            }
        }
        for (PartitionState st : states.values()) {
            abortBatch(st);
            st.needsRecovery = true;
        }
        try {
            consumer.pause(consumer.assignment());
        } catch (RuntimeException pauseFailed) {
            LOG.warn("pausing the Kafka consumer failed: {}", pauseFailed.toString());
        }
        nextRepairNanos = System.nanoTime() + repairBackoffMs * 1_000_000L;
        status = snapshot("degraded");
    }

    private void tryRepair() {
        if (System.nanoTime() < nextRepairNanos) {
            return;
        }
        try {
            closeHdfsQuietly();
            openHdfs();
            for (PartitionState st : states.values()) {
                if (st.needsRecovery) {
                    recover(st);
                }
            }
            consumer.resume(consumer.assignment());
            long seconds = Duration.between(hdfsUnavailableSince, Instant.now()).toSeconds();
            events.accept(degradedCause.equals("HDFS") ? "HDFS AVAILABLE again after " + seconds + " s"
                    : "RESUMED after " + seconds + " s");
            hdfsUnavailableSince = null;
            committedSinceRepair = false;
        } catch (IOException | RuntimeException e) {
            lastError = degradedCause + ": " + e.getMessage();
            repairBackoffMs = Math.min(repairBackoffMs * 2, config.hdfsRetryBackoffMax().toMillis());
            nextRepairNanos = System.nanoTime() + repairBackoffMs * 1_000_000L;
            LOG.info("HDFS still unavailable ({}); next attempt in {} ms", e.toString(), repairBackoffMs);
        }
    }

    private void commitAllForShutdown() {
        if (hdfsUnavailableSince != null) {
            return;
        }
        try {
            for (PartitionState st : states.values()) {
                if (st.batch != null && !st.needsRecovery) {
                    commitOrResync(st);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("final commit failed; the next writer resumes from the last committed range: {}", e.toString());
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                DatasetLayout layout = layouts.get(tp.topic());
                PartitionState st = new PartitionState(tp, layout, new EventDecoder(schemas.get(tp.topic())));
                states.put(tp, st);
                events.accept("ASSIGNED " + tp);
                if (hdfsUnavailableSince != null) {
                    consumer.pause(List.of(tp));
                    continue;
                }
                try {
                    recover(st);
                } catch (IOException | RuntimeException e) {
                    hdfsFailed(e);
                }
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                PartitionState st = states.remove(tp);
                if (st == null) {
                    continue;
                }
                events.accept("REVOKED " + tp);
                if (st.batch != null && !st.needsRecovery && hdfsUnavailableSince == null) {
                    try {
                        commit(st); // hand over with nothing left to redo
                    } catch (IOException | FencedException | RuntimeException e) {
                        LOG.warn("{}: could not commit on revocation ({}); the next owner redoes the batch", tp, e.toString());
                        abortBatch(st);
                    }
                } else {
                    abortBatch(st);
                }
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Someone else may own them already: committing now could only lose the manifest race.
            for (TopicPartition tp : partitions) {
                PartitionState st = states.remove(tp);
                if (st != null) {
                    events.accept("LOST " + tp);
                    abortBatch(st);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------ status

    private void maybeWriteStatus(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastStatusNanos < config.statusInterval().toNanos()) {
            return;
        }
        double seconds = lastStatusNanos == 0 ? 0 : (now - lastStatusNanos) / 1e9;
        double eps = seconds > 0 ? (eventsCommitted - lastStatusEvents) / seconds : 0;
        double bps = seconds > 0 ? (bytesCommitted - lastStatusBytes) / seconds : 0;
        lastStatusNanos = now;
        lastStatusEvents = eventsCommitted;
        lastStatusBytes = bytesCommitted;
        List<WriterStatus.PartitionStatus> partitions = new ArrayList<>();
        long lag = 0;
        boolean lagKnown = true;
        for (PartitionState st : states.values()) {
            var l = consumer.currentLag(st.tp);
            long pl = l.isPresent() ? l.getAsLong() : -1;
            if (pl < 0) {
                lagKnown = false;
            } else {
                lag += pl;
            }
            partitions.add(new WriterStatus.PartitionStatus(st.tp.topic(), st.tp.partition(), st.next, pl,
                    st.batch == null ? 0 : st.batch.records));
        }
        status = new WriterStatus(env.name(), config.writerId(), ProcessHandle.current().pid(), config.principal(),
                hdfsUnavailableSince != null ? "degraded" : "running", startedAt, Instant.now(), eventsCommitted,
                bytesCommitted, eps, bps, lagKnown ? lag : -1, filesCommitted, batchesCommitted, quarantined, openFiles,
                lastCommitAt, hdfsUnavailableSince, lastError, partitions);
        writeStatusQuietly();
    }

    private WriterStatus snapshot(String state) {
        return new WriterStatus(env.name(), config.writerId(), ProcessHandle.current().pid(), config.principal(), state,
                startedAt, Instant.now(), eventsCommitted, bytesCommitted, 0, 0, -1, filesCommitted, batchesCommitted,
                quarantined, openFiles, lastCommitAt, hdfsUnavailableSince, lastError, List.of());
    }

    private void writeStatusQuietly() {
        try {
            status.writeTo(config.statusFile());
        } catch (RuntimeException e) {
            LOG.warn("cannot write status file: {}", e.getMessage());
        }
    }
}
