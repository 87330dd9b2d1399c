package io.securelake.lakewriter;

import io.securelake.lakewriter.internals.FencedException;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's rebalance callbacks, run inside the writer's poll: an assigned partition is recovered from the raw zone
 * before any of its records is read; a revoked one hands over with its open batch committed; a lost one (another
 * writer may own it already) is dropped, since committing could only lose the manifest race.
 */
final class Rebalance implements ConsumerRebalanceListener {

    private static final Logger LOG = LoggerFactory.getLogger(Rebalance.class);

    /** What the callbacks need of the writer beyond its partitions. */
    interface Outages {
        /** Whether HDFS (or the loop) is failing: then nothing is recovered or committed until the repair. */
        boolean degraded();

        /** A recovery failed: handled as any HDFS failure (batches abandoned, repair after a backoff). */
        void hdfsFailed(Exception e);
    }

    private final Partitions partitions;
    private final Consumer<byte[], byte[]> consumer;
    private final WriterListener listener;
    private final Outages outages;

    Rebalance(Partitions partitions, Consumer<byte[], byte[]> consumer, WriterListener listener, Outages outages) {
        this.partitions = partitions;
        this.consumer = consumer;
        this.listener = listener;
        this.outages = outages;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        for (TopicPartition tp : assigned) {
            PartitionState st = partitions.assign(tp);
            if (outages.degraded()) {
                consumer.pause(List.of(tp)); // the repair recovers it with the others
                continue;
            }
            try {
                partitions.recover(st);
            } catch (IOException | RuntimeException e) {
                outages.hdfsFailed(e);
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        for (TopicPartition tp : revoked) {
            PartitionState st = partitions.release(tp);
            if (st == null) {
                continue;
            }
            listener.on(new WriterEvent.Revoked(tp));
            if (st.batch != null && !st.needsRecovery && !outages.degraded()) {
                try {
                    partitions.commit(st); // hand over with nothing left to redo
                } catch (IOException | FencedException | RuntimeException e) {
                    LOG.warn("{}: could not commit on revocation ({}); the next owner redoes the batch", tp, e.toString());
                    partitions.abort(st);
                }
            } else {
                partitions.abort(st);
            }
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        // Someone else may own them already: committing now could only lose the manifest race.
        for (TopicPartition tp : lost) {
            PartitionState st = partitions.release(tp);
            if (st != null) {
                listener.on(new WriterEvent.Lost(tp));
                partitions.abort(st);
            }
        }
    }
}
