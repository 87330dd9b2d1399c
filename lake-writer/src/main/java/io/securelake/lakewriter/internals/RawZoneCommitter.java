package io.securelake.lakewriter.internals;

import io.securelake.hadoop.HdfsWrites;
import io.securelake.lakewriter.CommitManifest;
import io.securelake.lakewriter.DatasetLayout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;

/**
 * The raw zone's commit protocol over Hadoop's {@link FileSystem}: offsets live with the data (docs/RAW-ZONE.md).
 *
 * <p>Per Kafka partition the committed offsets form a chain of contiguous ranges, each recorded by a manifest
 * {@code _commits/<partition>/<first>.json}. {@link #commit} closes a batch's files durably, writes its manifest
 * under {@code _commits/_tmp/} and renames it into place atomically and only if absent: that rename is the commit
 * point. The files are then renamed into {@code dt=…/hr=…/}, which whoever {@link #recover recovers} next completes
 * if the writer dies in between. A manifest name can be taken once, so of two writers that both believe they own a
 * partition (a zombie after a rebalance) exactly one commits a range; the other gets a {@link FencedException}.
 *
 * <p>Knows nothing of Kafka or Kerberos: the fault-injection tests run it on a plain MiniDFSCluster. Not
 * thread-safe; one per HDFS client, on the writer's thread.
 */
public final class RawZoneCommitter {

    private static final long SWEEP_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();
    /** Only the newest manifests can have unfinished renames, and recovery reads this many. */
    private static final int MANIFESTS_READ_AT_RECOVERY = 2;
    private static final int KNOWN_DIRECTORIES_MAX = 1_024;

    private final FileSystem fs;
    private final FileContext fc;
    private final String writerId;
    private final int manifestsRetained;
    private final CommitHook hook;
    private final LongSupplier nanoClock;
    /** Time-partition directories made through this client: a commit renames into them without asking again. */
    private final Set<Path> knownDirectories = new HashSet<>();

    /**
     * @param fc                the same file system as {@code fs}, for the one operation {@code FileSystem} does not
     *                          offer publicly: a rename that is atomic and refused if the target exists
     * @param manifestsRetained manifests kept per partition, at least the two recovery reads
     * @param nanoClock         {@link System#nanoTime()} but in tests: paces the sweep for dead temporaries
     */
    public RawZoneCommitter(FileSystem fs, FileContext fc, String writerId, int manifestsRetained, CommitHook hook,
                            LongSupplier nanoClock) {
        if (manifestsRetained < MANIFESTS_READ_AT_RECOVERY) {
            throw new IllegalArgumentException("at least " + MANIFESTS_READ_AT_RECOVERY + " manifests must be retained");
        }
        this.fs = Objects.requireNonNull(fs, "fs");
        this.fc = Objects.requireNonNull(fc, "fc");
        this.writerId = Objects.requireNonNull(writerId, "writerId");
        this.manifestsRetained = manifestsRetained;
        this.hook = Objects.requireNonNull(hook, "hook");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Re-derives where a partition's committed chain ends from the raw zone: reads the newest manifests, completes
     * their renames (idempotent: a file already moved is skipped), deletes temporary batches and manifests below the
     * chain's end (they can never commit) and prunes manifests beyond the retained ones. The caller seeks to
     * {@link PartitionChain#next()}.
     */
    public PartitionChain recover(DatasetLayout layout, TopicPartition partition) throws IOException {
        int p = partition.partition();
        fs.mkdirs(layout.commitsDir(p));
        fs.mkdirs(layout.commitsTmpDir());
        TreeMap<Long, Path> manifests = listManifests(layout, p);
        long next = -1;
        // Only the newest manifests can have unfinished renames: a writer finishes (or recovery finishes) one
        // batch's renames before the next range can be committed.
        List<Path> newest = new ArrayList<>(manifests.descendingMap().values())
                .subList(0, Math.min(MANIFESTS_READ_AT_RECOVERY, manifests.size()));
        for (int i = newest.size() - 1; i >= 0; i--) {
            CommitManifest m;
            try (var in = fs.open(newest.get(i))) {
                m = CommitManifest.parse(in.readAllBytes());
            }
            apply(layout, partition, m, false);
            next = Math.max(next, m.lastOffset() + 1);
        }
        PartitionChain chain = new PartitionChain(layout, partition, next, manifests.keySet());
        deleteDeadTemporaries(chain);
        // The first commit after a recovery sweeps again: a previous owner, paused past its session, may still
        // hold a batch starting at `next`; deleting its temporaries then makes its own commit fail, before the
        // count-based pruning can remove the manifest whose name fences it (as sweeping at every commit did).
        chain.nextSweepNanos = nanoClock.getAsLong();
        pruneManifests(chain); // a crash between a commit and its pruning left one too many
        return chain;
    }

    /**
     * Commits a batch that starts at the chain's end: steps 1 to 5 of the protocol, each reported to the hook.
     *
     * @param publishNext given {@code last + 1} once the batch is committed and tidied (the writer hands it to Kafka,
     *                    for lag monitoring only)
     * @throws FencedException another writer committed a range from the same offset first; this batch's files and
     *                         manifest are deleted and the chain must be recovered again
     * @throws IOException     HDFS failed; the chain must be recovered again (the batch may or may not be committed:
     *                         recovery tells)
     */
    public Committed commit(PartitionChain chain, PendingBatch batch, LongConsumer publishNext)
            throws IOException, FencedException {
        TopicPartition tp = chain.partition;
        DatasetLayout layout = chain.layout;
        int p = tp.partition();
        long first = batch.firstOffset();
        long last = batch.lastOffset();
        if (last < first || (chain.next >= 0 && first != chain.next)) {
            throw new IllegalArgumentException(tp + ": batch [" + first + ", " + last + "] does not extend the chain ending at "
                    + chain.next);
        }
        long t0 = nanoClock.getAsLong();
        List<CommitManifest.FileEntry> entries = new ArrayList<>();
        for (PendingBatch.BatchFile f : batch.syncAndClose()) {
            entries.add(new CommitManifest.FileEntry(relative(layout, f.tmp()),
                    DatasetLayout.finalFileName(f.timePartition(), p, first, last), f.events()));
        }
        hook.reached(CommitStep.FILES_SYNCED, tp);
        long t1 = nanoClock.getAsLong();
        CommitManifest manifest = new CommitManifest(tp.topic(), p, first, last, writerId, Instant.now(), batch.events(),
                batch.quarantined(), entries);
        Path tmpManifest = layout.manifestTmp(p, first, writerId);
        HdfsWrites.write(fs, tmpManifest, manifest.toJson());
        hook.reached(CommitStep.MANIFEST_WRITTEN, tp);
        try {
            // The commit point: atomic, and refused if another writer already committed this range start.
            fc.rename(tmpManifest, layout.manifest(p, first), Options.Rename.NONE);
        } catch (FileAlreadyExistsException e) {
            fs.delete(tmpManifest, false);
            fs.delete(batch.tmpDir(), true);
            throw new FencedException(tp, first, last);
        }
        chain.manifests.addLast(first);
        hook.reached(CommitStep.MANIFEST_RENAMED, tp);
        long t2 = nanoClock.getAsLong();
        apply(layout, tp, manifest, true);
        fs.delete(batch.tmpDir(), true);
        hook.reached(CommitStep.BATCH_TMP_DELETED, tp);
        chain.next = last + 1;
        long t3 = nanoClock.getAsLong();
        prune(chain);
        long t4 = nanoClock.getAsLong();
        hook.reached(CommitStep.KAFKA_OFFSET_COMMIT, tp);
        publishNext.accept(chain.next);
        return new Committed(tp, first, last, entries.size(), batch.events(), batch.quarantined(), manifest.committedAt(),
                t1 - t0, t2 - t1, t3 - t2, t4 - t3);
    }

    private static String relative(DatasetLayout layout, Path p) {
        String root = layout.raw().toUri().getPath() + "/";
        String path = p.toUri().getPath();
        return path.startsWith(root) ? path.substring(root.length()) : path;
    }

    /** Moves a committed manifest's files into place; idempotent, so any writer may finish it. */
    private void apply(DatasetLayout layout, TopicPartition tp, CommitManifest m, boolean freshCommit) throws IOException {
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
            if (moveIntoPlace(tmp, target)) {
                hook.reached(CommitStep.FILE_RENAMED, tp);
            }
        }
    }

    /** @return true if this call moved the file, false if an earlier attempt already had */
    private boolean moveIntoPlace(Path tmp, Path target) throws IOException {
        Path dir = target.getParent();
        boolean known = knownDirectories.contains(dir);
        if (!known) {
            fs.mkdirs(dir);
            rememberDirectory(dir);
        }
        if (fs.rename(tmp, target)) {
            return true;
        }
        if (known) {
            // The directory went since (e.g. retention removed an old partition): create it again.
            fs.mkdirs(dir);
            if (fs.rename(tmp, target)) {
                return true;
            }
        }
        if (!(fs.exists(target) && !fs.exists(tmp))) {
            throw new IOException("cannot move " + tmp + " to " + target);
        }
        return false;
    }

    private void rememberDirectory(Path dir) {
        if (knownDirectories.size() >= KNOWN_DIRECTORIES_MAX) {
            knownDirectories.clear();
        }
        knownDirectories.add(dir);
    }

    /**
     * Deletes manifests beyond the retained few and, once a minute, temporary batches that can no longer commit.
     * A commit costs a handful of NameNode calls; listing directories on each one doubled them.
     */
    private void prune(PartitionChain chain) throws IOException {
        pruneManifests(chain);
        if (nanoClock.getAsLong() - chain.nextSweepNanos >= 0) {
            deleteDeadTemporaries(chain);
            chain.nextSweepNanos = nanoClock.getAsLong() + SWEEP_INTERVAL_NANOS;
        }
    }

    /** Deletes this partition's oldest manifests beyond the retained count (the newest two always stay). */
    private void pruneManifests(PartitionChain chain) throws IOException {
        while (chain.manifests.size() > manifestsRetained) {
            fs.delete(chain.layout.manifest(chain.partition.partition(), chain.manifests.peekFirst()), false);
            chain.manifests.removeFirst();
            hook.reached(CommitStep.MANIFEST_PRUNED, chain.partition);
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
    private void deleteDeadTemporaries(PartitionChain chain) throws IOException {
        long next = chain.next;
        if (next < 0) {
            return;
        }
        int p = chain.partition.partition();
        Path tmpDir = chain.layout.tmpPartitionDir(p);
        if (fs.exists(tmpDir)) {
            for (FileStatus s : fs.listStatus(tmpDir)) {
                var first = DatasetLayout.tmpBatchFirstOffset(s.getPath().getName());
                if (first.isPresent() && first.get() < next) {
                    fs.delete(s.getPath(), true);
                    hook.reached(CommitStep.DEAD_TEMPORARY_DELETED, chain.partition);
                }
            }
        }
        String prefix = p + "-";
        for (FileStatus s : fs.listStatus(chain.layout.commitsTmpDir())) {
            String name = s.getPath().getName();
            if (name.startsWith(prefix)) {
                String[] parts = name.split("-", 3);
                if (parts.length == 3 && parts[1].matches("[0-9]{20}") && Long.parseLong(parts[1]) < next) {
                    fs.delete(s.getPath(), false);
                    hook.reached(CommitStep.DEAD_TEMPORARY_DELETED, chain.partition);
                }
            }
        }
    }
}
