package io.securelake.lakewriter.internals;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * A batch as the commit protocol sees it: a contiguous offset range of one Kafka partition, starting where the
 * partition's committed chain ends, whose events are in temporary files under {@link #tmpDir()}. How the files are
 * written (Avro, one per time partition) is the writer's business, not the protocol's.
 */
public interface PendingBatch {

    /** One temporary file, closed: {@code timePartition} is {@code dt=…/hr=…} (or {@code dt=…}). */
    record BatchFile(Path tmp, String timePartition, long events) {
    }

    long firstOffset();

    /** The last offset of the range; -1 while the batch holds nothing yet. */
    long lastOffset();

    /** Events written to the files. */
    long events();

    /** Events of the range sent to quarantine instead (the range covers them). */
    long quarantined();

    /** Where the batch's files are: {@code _tmp/<partition>/<first>-<writer id>}. */
    Path tmpDir();

    /**
     * Step 1 of a commit: flushes, hsyncs and closes every file, so each is durable and complete before a
     * manifest can point at it.
     */
    List<BatchFile> syncAndClose() throws IOException;
}
