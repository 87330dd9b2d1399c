package io.securelake.operations.audit;

import io.securelake.hadoop.HadoopSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Ships the local audit trail ({@code <audit root>/<stage>/audit-YYYY-MM-DD.jsonl}) to HDFS
 * ({@code /audit/<env>/<stage>/…}), byte for byte. The local files are the spool: when HDFS is down
 * nothing is lost, the next round ships what accumulated. The HDFS file's length is the shipped
 * offset, so a crash between appending and any bookkeeping can neither lose nor duplicate a line;
 * only complete lines are shipped. One shipper per environment.
 */
public final class AuditShipper implements AutoCloseable {
    /** What one round shipped. */
    public record Round(int files, long bytes, List<String> failures) {
        public boolean complete() {
            return failures.isEmpty();
        }
    }

    private final Path localRoot;
    private final String hdfsRoot;
    private final Configuration conf;
    private final UserGroupInformation writer;
    private final Consumer<String> log;
    private final ScheduledExecutorService schedule;

    /**
     * @param writer the identity that appends to {@code hdfsRoot} (the trail is append-only for it and
     *               readable by auditors)
     */
    public AuditShipper(Path localRoot, String hdfsRoot, Configuration conf, UserGroupInformation writer,
                        Consumer<String> log) {
        this.localRoot = localRoot;
        this.hdfsRoot = hdfsRoot;
        this.conf = new Configuration(conf);
        this.writer = writer;
        this.log = log;
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "securelake-audit-shipper");
            t.setDaemon(true);
            return t;
        });
    }

    /** Ships every {@code interval} in the background, until {@link #close}. */
    public AuditShipper start(Duration interval) {
        schedule.scheduleWithFixedDelay(() -> {
            // Nothing may escape: a scheduled task that throws is never run again, and shipping would stop silently.
            try {
                Round r = shipOnce();
                if (!r.complete()) {
                    log.accept("audit shipping to HDFS incomplete, kept locally for the next round: " + r.failures());
                }
            } catch (RuntimeException e) {
                log.accept("audit shipping round failed, the next one follows: " + e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One round over every stage's files; failures leave the lines in the local spool. */
    public synchronized Round shipOnce() {
        int files = 0;
        long bytes = 0;
        List<String> failures = new java.util.ArrayList<>();
        for (Path file : localFiles()) {
            String stage = file.getParent().getFileName().toString();
            String target = hdfsRoot + "/" + stage + "/" + file.getFileName();
            try {
                long shipped = ship(file, target);
                if (shipped > 0) {
                    files++;
                    bytes += shipped;
                }
            } catch (IOException | RuntimeException e) {
                failures.add(target + ": " + e.getMessage());
            }
        }
        return new Round(files, bytes, List.copyOf(failures));
    }

    private long ship(Path local, String target) throws IOException {
        return HadoopSecurity.doAs(writer, () -> {
            // A client of its own: closing the JVM-wide cached FileSystem of this identity would close it for
            // every other user of it in the process.
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(target);
                // The cluster's replication, not the client's default: a file asking for 3 replicas on a
                // one-DataNode cluster can be created, but every append then fails to rebuild its pipeline.
                short replication = fs.getServerDefaults(path).getReplication();
                boolean exists = fs.exists(path);
                if (exists) {
                    releaseAbandonedLease(fs, path);
                    if (fs.getFileStatus(path).getReplication() > replication) {
                        fs.setReplication(path, replication);
                    }
                }
                long offset = exists ? fs.getFileStatus(path).getLen() : 0;
                byte[] tail = completeLinesAfter(local, offset);
                if (tail.length == 0) {
                    return 0L;
                }
                FSDataOutputStream out = offset == 0 && !exists ? create(fs, path, replication) : fs.append(path);
                // HDFS streams rethrow their stored failure from close(): the original is kept, not "self-suppression"
                io.securelake.hadoop.HdfsWrites.writeSyncClose(out, tail);
                return (long) tail.length;
            }
        });
    }

    /**
     * A round that failed mid-append leaves the file open under a client that no longer exists, and HDFS
     * refuses every other writer until the lease expires. Take it back now; until the NameNode has closed
     * the file, this round ships nothing to it (the lines wait in the local spool).
     */
    private static void releaseAbandonedLease(FileSystem fs, org.apache.hadoop.fs.Path path) throws IOException {
        if (fs instanceof DistributedFileSystem dfs && !dfs.isFileClosed(path) && !dfs.recoverLease(path)) {
            throw new IOException("recovering the lease of " + path + " left by an interrupted append; "
                    + "its lines are shipped in a later round");
        }
    }

    private static FSDataOutputStream create(FileSystem fs, org.apache.hadoop.fs.Path path, short replication)
            throws IOException {
        fs.mkdirs(path.getParent(), new FsPermission((short) 0750));
        return fs.create(path, new FsPermission((short) 0640), false, 64 * 1024, replication,
                fs.getDefaultBlockSize(path), null);
    }

    /** The bytes after {@code offset} up to the last newline: a line being written is left for later. */
    static byte[] completeLinesAfter(Path file, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= offset) {
                if (size < offset) {
                    throw new IOException("the HDFS copy is longer than the local trail " + file
                            + " (" + offset + " > " + size + " bytes): the local trail was truncated or replaced");
                }
                return new byte[0];
            }
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size - offset));
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
                // read fully
            }
            byte[] all = buf.array();
            int end = all.length;
            while (end > 0 && all[end - 1] != '\n') {
                end--;
            }
            return java.util.Arrays.copyOf(all, end);
        }
    }

    private List<Path> localFiles() {
        if (!Files.isDirectory(localRoot)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(localRoot, 2)) {
            return files.filter(p -> p.getFileName().toString().matches("audit-\\d{4}-\\d{2}-\\d{2}\\.jsonl"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the audit trail in " + localRoot, e);
        }
    }

    /** Stops the schedule and ships what is left. */
    @Override
    public void close() {
        schedule.shutdownNow();
        shipOnce();
    }
}
