package io.securelake.lakewriter.internals;

import io.securelake.lakewriter.DatasetLayout;
import java.util.ArrayDeque;
import java.util.Collection;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;

/**
 * One Kafka partition's committed chain as {@link RawZoneCommitter#recover recovery} found it and commits extend it:
 * where it ends, and what the committer needs between commits so that a commit lists no directory.
 */
public final class PartitionChain {
    final DatasetLayout layout;
    final TopicPartition partition;
    long next;
    /** First offsets of the partition's manifests on HDFS, oldest first: known since recovery, so pruning needs no listing. */
    final ArrayDeque<Long> manifests;
    /** When to look again for temporaries a fenced or crashed writer left (recovery looks too). */
    long nextSweepNanos;

    PartitionChain(DatasetLayout layout, TopicPartition partition, long next, Collection<Long> manifests) {
        this.layout = layout;
        this.partition = partition;
        this.next = next;
        this.manifests = new ArrayDeque<>(manifests);
    }

    public TopicPartition partition() {
        return partition;
    }

    public DatasetLayout layout() {
        return layout;
    }

    /** The first offset not yet committed, where the next batch starts; -1 if nothing was ever committed. */
    public long next() {
        return next;
    }

    /** The temporary directory of a batch starting at {@code firstOffset}, written by {@code writerId}. */
    public Path batchDir(long firstOffset, String writerId) {
        return layout.tmpBatchDir(partition.partition(), firstOffset, writerId);
    }
}
