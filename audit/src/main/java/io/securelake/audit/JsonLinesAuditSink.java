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
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The audit trail on a local file system: one append-only JSON-lines file per UTC day
 * ({@code audit-YYYY-MM-DD.jsonl}), each line hash-chained to the previous one ({@link AuditVerifier}).
 * {@link #write} buffers in memory; {@link #flush} appends and fsyncs. Files are opened lazily and
 * re-opened after an I/O error, so a sink whose directory comes back starts working again.
 */
public final class JsonLinesAuditSink implements AuditSink {
    static final Pattern FILE_NAME = Pattern.compile("audit-\\d{4}-\\d{2}-\\d{2}\\.jsonl");

    private final Path directory;
    private final Clock clock;
    private final StringBuilder pending = new StringBuilder();
    private FileChannel channel;
    private LocalDate openDay;
    private String lastHash;
    private long seqInFile;
    private String pendingLastHash;
    private long pendingSeq;
    private boolean closed;
    private FileChannel lockChannel;
    private java.nio.channels.FileLock writerLock;

    public JsonLinesAuditSink(Path directory) {
        this(directory, Clock.systemUTC());
    }

    public JsonLinesAuditSink(Path directory, Clock clock) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.clock = Objects.requireNonNull(clock, "clock");
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
            Files.createDirectories(directory);
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
        ensureOpen();
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (openDay != null && !today.equals(openDay) && pending.length() > 0) {
            flush(); // a day's lines belong in the day's file
        }
        if (channel == null || !today.equals(openDay)) {
            open(today);
        }
        HashChain.Line line = HashChain.line(pendingLastHash, pendingSeq + 1, record);
        pending.append(line.text()).append('\n');
        pendingLastHash = line.hash();
        pendingSeq++;
    }

    @Override
    public synchronized void flush() {
        ensureOpen();
        if (pending.length() == 0) {
            return;
        }
        try {
            ByteBuffer bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
            pending.setLength(0);
            lastHash = pendingLastHash;
            seqInFile = pendingSeq;
        } catch (IOException e) {
            // The unflushed lines are handed back to the caller through the exception (a spooling sink
            // keeps them); drop them and the handle so the next attempt re-opens (the directory may
            // have come back) and rebuilds the chain from what reached the disk.
            pending.setLength(0);
            dropChannelAfterError();
            throw new AuditSinkException("audit sink " + directory + ": cannot append to "
                    + fileFor(openDay) + ": " + e.getMessage(), e);
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
            openDay = day;
            lastHash = prev;
            seqInFile = seq;
            // Lines already rendered against a previous day's chain must be re-rendered; callers
            // flush before switching days, so pending is empty here unless an error interrupted.
            pendingLastHash = lastHash;
            pendingSeq = seqInFile;
            if (pending.length() > 0) {
                rechain();
            }
        } catch (IOException e) {
            closeChannel();
            throw new AuditSinkException("audit sink " + directory + ": cannot open the trail for " + day
                    + ": " + e.getMessage(), e);
        }
    }

    /** Re-renders pending lines onto the current chain head (after a re-open). */
    private void rechain() throws IOException {
        List<String> lines = pending.toString().lines().toList();
        pending.setLength(0);
        for (String text : lines) {
            JsonNode node = AuditJson.MAPPER.readTree(text);
            AuditRecord record = AuditJson.MAPPER.treeToValue(node.get("record"), AuditRecord.class);
            HashChain.Line line = HashChain.line(pendingLastHash, pendingSeq + 1, record);
            pending.append(line.text()).append('\n');
            pendingLastHash = line.hash();
            pendingSeq++;
        }
    }

    private void dropChannelAfterError() {
        closeChannel();
        openDay = null;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
            channel = null;
        }
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
