package io.securelake.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The audit trail on a local file system: one append-only JSON-lines file per UTC day
 * ({@code audit-YYYY-MM-DD.jsonl}), each line hash-chained to the previous one ({@link AuditVerifier}).
 * {@link #write} buffers in memory; {@link #flush} appends and fsyncs. Files are opened lazily and
 * re-opened after an I/O error, so a sink whose directory comes back starts working again.
 * <p>
 * Each record is rendered once, straight to UTF-8 ({@link CanonicalJson}: the same bytes Jackson wrote
 * before), hashed from those bytes with one reused digest ({@link HashChain.Writer}) and appended to one
 * byte buffer that {@link #flush} writes with a single write and one fsync.
 * <p>
 * {@link BatchingAuditSink} uses a pipelined form: its writer thread appends ({@link #writeBatch}) and
 * {@link #seal}s the lines into a segment; its I/O thread writes sealed segments in order
 * ({@link #writeSealed}) and forces them ({@link #sync}), so the writer hashes the next batch while
 * the previous one is written and committed. Every path that writes to or re-reads a file first writes
 * out (or, after an I/O error, drops) the sealed segments, under one I/O lock, so lines reach each
 * file in chain order.
 */
public final class JsonLinesAuditSink implements AuditSink {
    static final Pattern FILE_NAME = Pattern.compile("audit-\\d{4}-\\d{2}-\\d{2}\\.jsonl");

    /** How lines are forced to disk. Passed to the constructor: tests give one that fails like a disk does. */
    interface Force {
        void force(FileChannel channel) throws IOException;
    }

    /** {@code FileChannel.force(false)}: the file's data reaches the disk (an fdatasync). */
    static final Force FDATASYNC = channel -> channel.force(false);

    /** How lines are appended. Passed to the constructor: tests give one that fails or tears a write. */
    interface Write {
        void write(FileChannel channel, ByteBuffer bytes) throws IOException;
    }

    /** All of {@code bytes}, however many writes that takes. */
    static final Write WRITE_ALL = (channel, bytes) -> {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    };

    private final Path directory;
    private final Clock clock;
    private final Write write;
    private final Force force;
    private static final long MILLIS_PER_DAY = 86_400_000L;
    /** A pending buffer that grew past this for one large batch is dropped after the flush. */
    private static final int KEEP_PENDING_BYTES = 4 << 20;

    private ByteBuf pending = new ByteBuf(64 << 10);
    private final ByteBuf rendered = new ByteBuf(1024);
    private final CanonicalJson renderer = new CanonicalJson();
    /** The chain head including pending lines; reset to the head found on disk whenever a file is opened. */
    private final HashChain.Writer chain = new HashChain.Writer(HashChain.GENESIS, 0);
    private FileChannel channel;
    /** The open day file, shared with sealed segments (see {@link #seal}); null when closed. */
    private OpenFile openFile;
    /** Sealed segments not yet written, oldest first; written and removed only under {@link #io}. */
    private final ConcurrentLinkedQueue<Segment> sealed = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ByteBuf> spareBuffers = new ConcurrentLinkedQueue<>();
    /** Orders every write to the files; taken after the sink's monitor, never before it. */
    private final ReentrantLock io = new ReentrantLock();
    /** A sealed segment could not be written: the chain must restart from the disk before more lines. */
    private volatile boolean ioFailed;
    private LocalDate openDay;
    private long openEpochDay = Long.MIN_VALUE;
    private boolean closed;
    private FileChannel lockChannel;
    private java.nio.channels.FileLock writerLock;

    public JsonLinesAuditSink(Path directory) {
        this(directory, Clock.systemUTC());
    }

    public JsonLinesAuditSink(Path directory, Clock clock) {
        this(directory, clock, WRITE_ALL, FDATASYNC);
    }

    /** With the ways of appending and forcing given: for tests that simulate failing, torn or counted disk I/O. */
    JsonLinesAuditSink(Path directory, Clock clock, Write write, Force force) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.write = Objects.requireNonNull(write, "write");
        this.force = Objects.requireNonNull(force, "force");
    }

    public Path directory() {
        return directory;
    }

    /**
     * A sink on the first of {@code parent/name}, {@code parent/name-2}, … that no other writer holds.
     * For components that run more than once per process (Kafka creates an authorizer for the broker
     * and one for the controller): each gets a chain of its own.
     */
    public static JsonLinesAuditSink firstFree(Path parent, String name) {
        for (int i = 1; i <= 16; i++) {
            JsonLinesAuditSink sink = new JsonLinesAuditSink(parent.resolve(i == 1 ? name : name + "-" + i));
            if (sink.tryLockWriter()) {
                return sink;
            }
        }
        throw new AuditSinkException("no free audit trail directory for " + name + " under " + parent);
    }

    /** One hash chain has one writer: two would interleave and break it. Held until close. */
    private synchronized boolean tryLockWriter() {
        if (writerLock != null) {
            return true;
        }
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
                // A new trail is its writer's only: services running as other OS users may traverse the audit
                // root to reach their own trail, and must not read another stage's records by name.
                if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Files.setPosixFilePermissions(directory, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                }
            }
            FileChannel ch = FileChannel.open(directory.resolve(".writer.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException taken) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return false;
            }
            lockChannel = ch;
            writerLock = lock;
            return true;
        } catch (IOException e) {
            throw new AuditSinkException("audit sink " + directory + ": cannot lock the trail: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void write(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        beforeLine();
        rendered.reset();
        renderer.render(record, rendered);
        chain.append(rendered.buf, 0, rendered.len, pending);
    }

    /**
     * Appends a batch under one lock: each item is an {@link AuditRecord} or a {@code byte[]} holding a
     * record's canonical JSON from {@link CanonicalJson}. All or nothing: if any item fails, the lines
     * not yet written are dropped and the file is re-read at the next write, so the caller can retry
     * the whole batch (records already made durable by a day roll's flush may then appear twice, as
     * with separate {@link #write} calls).
     */
    synchronized void writeBatch(List<?> items) {
        if (ioFailed) {
            throw new AuditSinkException("audit sink " + directory + ": earlier lines could not be written;"
                    + " they are retried first");
        }
        try {
            for (Object item : items) {
                beforeLine();
                if (item instanceof byte[] canonical) {
                    chain.append(canonical, 0, canonical.length, pending);
                } else {
                    rendered.reset();
                    renderer.render((AuditRecord) item, rendered);
                    chain.append(rendered.buf, 0, rendered.len, pending);
                }
            }
        } catch (RuntimeException e) {
            pending.trimTo(KEEP_PENDING_BYTES);
            dropChannelAfterError();
            throw e;
        }
    }

    /**
     * Seals the pending lines into a segment for {@link #writeSealed}, on the I/O thread, and starts a
     * new buffer, so appends go on while the segment is written.
     * @return null when nothing is pending
     */
    synchronized Segment seal() {
        ensureOpen();
        if (pending.len == 0) {
            return null;
        }
        openFile.acquire();
        Segment segment = new Segment(pending, openFile);
        ByteBuf next = spareBuffers.poll();
        pending = next != null ? next : new ByteBuf(64 << 10);
        sealed.add(segment);
        return segment;
    }

    /** Writes the sealed segments to their files, oldest first. Needs no monitor of the sink. */
    void writeSealed() {
        io.lock();
        try {
            writeSealedLocked();
        } finally {
            io.unlock();
        }
    }

    private void writeSealedLocked() {
        Segment segment;
        while ((segment = sealed.peek()) != null) {
            try {
                write.write(segment.file.channel, ByteBuffer.wrap(segment.lines.buf, 0, segment.lines.len));
            } catch (IOException e) {
                // This segment may be torn and every later one is chained on it: drop them all. The
                // writer re-reads the chain from disk (a torn tail is cut) before it writes again.
                ioFailed = true;
                dropSealedLocked();
                throw new AuditSinkException("audit sink " + directory + ": cannot append to "
                        + segment.file.path + ": " + e.getMessage(), e);
            }
            segment.state = Segment.WRITTEN;
            sealed.poll();
            recycle(segment.lines);
        }
    }

    private void dropSealedLocked() {
        Segment segment;
        while ((segment = sealed.poll()) != null) {
            segment.state = Segment.DROPPED;
        }
    }

    private void recycle(ByteBuf buf) {
        if (buf.buf.length <= KEEP_PENDING_BYTES && spareBuffers.size() < 4) {
            buf.reset();
            spareBuffers.add(buf);
        }
    }

    /**
     * Forces a written segment to disk (fdatasync of its file, which also covers every earlier write to
     * it) and releases it; call once per segment. Throws if its lines were dropped or the fsync failed.
     */
    void sync(Segment segment) {
        try {
            if (segment.state != Segment.WRITTEN) {
                throw new AuditSinkException("audit trail: lines for " + segment.file.path
                        + " were not written (an earlier write failed)");
            }
            force.force(segment.file.channel);
        } catch (IOException e) {
            throw new AuditSinkException("audit trail: cannot fsync " + segment.file.path + ": " + e.getMessage(), e);
        } finally {
            segment.file.release();
        }
    }

    /** After a failed write or fsync: drop what is not written and re-read the chain from disk at the next write. */
    synchronized void reopenAfterFailure() {
        io.lock();
        try {
            dropSealedLocked();
            pending.trimTo(KEEP_PENDING_BYTES);
            dropChannelAfterError();
            ioFailed = false;
        } finally {
            io.unlock();
        }
    }

    /** Lines sealed for {@code file}: queued, then written, then forced by {@link #sync}. */
    static final class Segment {
        static final int QUEUED = 0;
        static final int WRITTEN = 1;
        static final int DROPPED = 2;

        final ByteBuf lines;
        final OpenFile file;
        volatile int state = QUEUED;

        Segment(ByteBuf lines, OpenFile file) {
            this.lines = lines;
            this.file = file;
        }
    }

    /**
     * One opened day file. Closing the sink's handle (a day roll, an error, close) only retires it:
     * the channel is closed once no {@link Segment} still needs to write or force it.
     */
    static final class OpenFile {
        final FileChannel channel;
        final Path path;
        private int users;
        private boolean retired;

        OpenFile(FileChannel channel, Path path) {
            this.channel = channel;
            this.path = path;
        }

        synchronized void acquire() {
            users++;
        }

        synchronized void release() {
            users--;
            closeIfUnused();
        }

        synchronized void retire() {
            retired = true;
            closeIfUnused();
        }

        private void closeIfUnused() {
            if (retired && users == 0) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing more to release
                }
            }
        }
    }

    /** Rolls to the day's file (flushing the previous day's lines first) and opens it if needed. */
    private void beforeLine() {
        ensureOpen();
        long today = Math.floorDiv(clock.millis(), MILLIS_PER_DAY);
        if (openDay != null && today != openEpochDay && pending.len > 0) {
            flush(); // a day's lines belong in the day's file
        }
        if (channel == null || today != openEpochDay) {
            open(LocalDate.ofEpochDay(today));
        }
    }

    @Override
    public synchronized void flush() {
        ensureOpen();
        if (pending.len == 0 && sealed.isEmpty()) {
            return;
        }
        io.lock();
        try {
            // Lines sealed earlier go first; their files are forced too (usually the current one).
            List<OpenFile> files = new ArrayList<>();
            for (Segment segment : sealed) {
                if (!files.contains(segment.file)) {
                    files.add(segment.file);
                }
            }
            writeSealedLocked();
            if (pending.len > 0) {
                write.write(channel, ByteBuffer.wrap(pending.buf, 0, pending.len));
                if (!files.contains(openFile)) {
                    files.add(openFile);
                }
            }
            for (OpenFile file : files) {
                force.force(file.channel);
            }
            pending.trimTo(KEEP_PENDING_BYTES);
        } catch (AuditSinkException e) {
            pending.trimTo(KEEP_PENDING_BYTES);
            dropChannelAfterError();
            throw e;
        } catch (IOException e) {
            // The unflushed lines are handed back to the caller through the exception (a spooling sink
            // keeps them); drop them and the handle so the next attempt re-opens (the directory may
            // have come back) and rebuilds the chain from what reached the disk.
            pending.trimTo(KEEP_PENDING_BYTES);
            dropChannelAfterError();
            throw new AuditSinkException("audit sink " + directory + ": cannot append to "
                    + fileFor(openDay) + ": " + e.getMessage(), e);
        } finally {
            io.unlock();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            closeChannel();
            try {
                if (lockChannel != null) {
                    lockChannel.close(); // releases the writer lock
                }
            } catch (IOException ignored) {
                // the lock dies with the channel or the process
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new AuditSinkException("audit sink " + directory + " is closed");
        }
    }

    private Path fileFor(LocalDate day) {
        return directory.resolve("audit-" + day + ".jsonl");
    }

    private void open(LocalDate day) {
        closeChannel();
        if (!tryLockWriter()) {
            throw new AuditSinkException("audit trail " + directory + " already has a writer (one hash chain, one writer)");
        }
        // The tail read below must include every sealed line: write them out first.
        io.lock();
        try {
            writeSealedLocked();
            openLocked(day);
        } finally {
            io.unlock();
        }
    }

    private void openLocked(LocalDate day) {
        try {
            Files.createDirectories(directory);
            Path file = fileFor(day);
            String prev = HashChain.GENESIS;
            long seq = 0;
            Optional<Tail> tail = Files.exists(file) ? tailOf(file) : Optional.empty();
            if (tail.isPresent()) {
                prev = tail.get().hash();
                seq = tail.get().seq();
            } else {
                Optional<Path> previousFile = latestFileBefore(file);
                if (previousFile.isPresent()) {
                    prev = tailOf(previousFile.get()).map(Tail::hash).orElse(HashChain.GENESIS);
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            openFile = new OpenFile(channel, file);
            openDay = day;
            openEpochDay = day.toEpochDay();
            // Lines already rendered against a previous day's chain must be re-rendered; callers
            // flush before switching days, so pending is empty here unless an error interrupted.
            List<byte[]> records = pending.len > 0 ? pendingRecords() : List.of();
            pending.reset();
            chain.reset(prev, seq);
            for (byte[] canonical : records) {
                chain.append(canonical, 0, canonical.length, pending);
            }
        } catch (IOException e) {
            closeChannel();
            throw new AuditSinkException("audit sink " + directory + ": cannot open the trail for " + day
                    + ": " + e.getMessage(), e);
        }
    }

    /** The canonical records of the pending lines, to re-chain them onto a new head (after a re-open). */
    private List<byte[]> pendingRecords() throws IOException {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < pending.len; i++) {
            if (pending.buf[i] == '\n') {
                JsonNode node = AuditJson.MAPPER.readTree(pending.buf, start, i - start);
                out.add(CanonicalJson.toBytes(AuditJson.MAPPER.treeToValue(node.get("record"), AuditRecord.class)));
                start = i + 1;
            }
        }
        return out;
    }

    private void dropChannelAfterError() {
        closeChannel();
        openDay = null;
        openEpochDay = Long.MIN_VALUE;
    }

    private void closeChannel() {
        if (openFile != null) {
            openFile.retire(); // closes the channel now, or when the last pending sync is done
            openFile = null;
        }
        channel = null;
    }

    private Optional<Path> latestFileBefore(Path file) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            String name = file.getFileName().toString();
            return files.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> p.getFileName().toString().compareTo(name) < 0)
                    .max(Path::compareTo);
        }
    }

    record Tail(long seq, String hash) {
    }

    /**
     * Reads the chain head of a file. A torn last line (a crash between write and fsync: never
     * acknowledged by {@link #flush}) is cut off so the file stays a sequence of whole lines.
     */
    static Optional<Tail> tailOf(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            if (length == 0) {
                return Optional.empty();
            }
            long end = length;
            raf.seek(length - 1);
            if (raf.read() != '\n') {
                long cut = lastNewlineBefore(raf, length - 1);
                raf.setLength(cut + 1);
                end = cut + 1;
                if (end <= 0) {
                    return Optional.empty();
                }
            }
            long start = lastNewlineBefore(raf, end - 1) + 1;
            byte[] bytes = new byte[(int) (end - 1 - start)];
            raf.seek(start);
            raf.readFully(bytes);
            JsonNode node = AuditJson.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
            return Optional.of(new Tail(node.get("seq").asLong(), node.get("hash").asText()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Position of the last '\n' strictly before {@code pos}, or -1. */
    private static long lastNewlineBefore(RandomAccessFile raf, long pos) throws IOException {
        long p = pos - 1;
        byte[] buf = new byte[4096];
        while (p >= 0) {
            long from = Math.max(0, p - buf.length + 1);
            int n = (int) (p - from + 1);
            raf.seek(from);
            raf.readFully(buf, 0, n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf[i] == '\n') {
                    return from + i;
                }
            }
            p = from - 1;
        }
        return -1;
    }

    @Override
    public String toString() {
        return "JsonLinesAuditSink[" + directory + "]";
    }
}
