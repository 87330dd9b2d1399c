package io.securelake.lakewriter;

import io.securelake.lakewriter.internals.PendingBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's open batch: the contiguous offset range {@code [first, last]} it covers so far and one temporary
 * Avro container file per time partition, streamed to HDFS (nothing of the batch is held in memory beyond each
 * file's current Avro block).
 */
final class OpenBatch implements PendingBatch {

    private static final Logger LOG = LoggerFactory.getLogger(OpenBatch.class);

    /** How the writer's files are made: the same for every batch of a partition. */
    record FileFormat(Schema schema, String codec, TopicPartition partition, String writerId) {
    }

    private static final class TempFile {
        final String timePartition;
        final Path tmp;
        final FSDataOutputStream out;
        final DataFileWriter<GenericRecord> writer;
        long events;

        TempFile(String timePartition, Path tmp, FSDataOutputStream out, DataFileWriter<GenericRecord> writer) {
            this.timePartition = timePartition;
            this.tmp = tmp;
            this.out = out;
            this.writer = writer;
        }
    }

    private final FileSystem fs;
    private final FileFormat format;
    private final long first;
    private final Path tmpDir;
    private final long startedNanos;
    private final Map<String, TempFile> files = new LinkedHashMap<>();
    private long last = -1;
    private long bytes;
    private long events;
    private long quarantined;

    OpenBatch(FileSystem fs, FileFormat format, long first, Path tmpDir, long startedNanos) {
        this.fs = fs;
        this.format = format;
        this.first = first;
        this.tmpDir = tmpDir;
        this.startedNanos = startedNanos;
    }

    @Override
    public long firstOffset() {
        return first;
    }

    @Override
    public long lastOffset() {
        return last;
    }

    @Override
    public long events() {
        return events;
    }

    @Override
    public long quarantined() {
        return quarantined;
    }

    @Override
    public Path tmpDir() {
        return tmpDir;
    }

    long startedNanos() {
        return startedNanos;
    }

    /** Bytes of event values appended: what {@code roll.max.bytes} is measured against. */
    long bytes() {
        return bytes;
    }

    int openFiles() {
        return files.size();
    }

    boolean hasFile(String timePartition) {
        return files.containsKey(timePartition);
    }

    /** Creates the temporary file of a time partition; the caller has made room for it under {@code max.open.files}. */
    void openFile(String timePartition) throws IOException {
        Path tmp = new Path(tmpDir, timePartition.replace('/', '_') + ".avro");
        FSDataOutputStream out = fs.create(tmp, true);
        DataFileWriter<GenericRecord> writer = new DataFileWriter<>(new GenericDatumWriter<>(format.schema()));
        writer.setCodec(format.codec().equals("deflate") ? CodecFactory.deflateCodec(1) : CodecFactory.nullCodec());
        writer.setMeta("securelake.topic", format.partition().topic());
        writer.setMeta("securelake.partition", Integer.toString(format.partition().partition()));
        writer.setMeta("securelake.writer", format.writerId());
        writer.create(format.schema(), out);
        files.put(timePartition, new TempFile(timePartition, tmp, out, writer));
    }

    /**
     * Appends an event whose Avro bytes ({@code value} from {@code offset}) are already in the file's schema.
     *
     * @param valueLength the whole Kafka value's length, header included: the size the batch is measured in
     */
    void appendEncoded(String timePartition, long kafkaOffset, byte[] value, int offset, int valueLength) throws IOException {
        file(timePartition).writer.appendEncoded(ByteBuffer.wrap(value, offset, value.length - offset));
        appended(timePartition, kafkaOffset, valueLength);
    }

    /** Appends an event decoded from an older schema version and resolved to the file's. */
    void append(String timePartition, long kafkaOffset, GenericRecord record, int valueLength) throws IOException {
        file(timePartition).writer.append(record);
        appended(timePartition, kafkaOffset, valueLength);
    }

    /** The event at {@code kafkaOffset} went to quarantine: the range covers it, no file holds it. */
    void quarantined(long kafkaOffset) {
        quarantined++;
        last = kafkaOffset;
    }

    private TempFile file(String timePartition) {
        TempFile f = files.get(timePartition);
        if (f == null) {
            throw new IllegalStateException("no open file for " + timePartition);
        }
        return f;
    }

    private void appended(String timePartition, long kafkaOffset, int valueLength) {
        files.get(timePartition).events++;
        events++;
        bytes += valueLength;
        last = kafkaOffset;
    }

    @Override
    public List<BatchFile> syncAndClose() throws IOException {
        List<BatchFile> closed = new ArrayList<>();
        for (TempFile f : files.values()) {
            // Durable and complete before anything can point at it.
            f.writer.flush();
            f.out.hsync();
            f.writer.close();
            closed.add(new BatchFile(f.tmp, f.timePartition, f.events));
        }
        // Forgotten only once all are closed: if one fails, abandon() closes the rest.
        files.clear();
        return closed;
    }

    /** Closes the files without committing them; they stay for the sweep of dead temporaries (HDFS may be unreachable now). */
    void abandon() {
        for (TempFile f : files.values()) {
            try {
                f.writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing abandoned file {}: {}", f.tmp, e.toString());
            }
        }
        files.clear();
    }
}
