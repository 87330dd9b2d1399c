package io.securelake.lakewriter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's {@link MockConsumer} over a {@link TopicLog}: each poll hands out, for every assigned partition that is not
 * paused, the published records from the consumer's position on (at most {@code maxPerPoll} each), so a writer that
 * seeks back after a recovery reads again, as from a real log. Rebalances queued by the test run inside the next
 * poll, as the real consumer runs its rebalance callbacks.
 */
final class LogConsumer extends MockConsumer<byte[], byte[]> {

    private final TopicLog log;
    private final int maxPerPoll;
    private final Queue<Runnable> rebalances = new ArrayDeque<>();

    LogConsumer(TopicLog log, int maxPerPoll) {
        super("earliest");
        this.log = log;
        this.maxPerPoll = maxPerPoll;
        updateBeginningOffsets(log.ends().keySet().stream().collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> 0L)));
    }

    /** At the next poll, the group assigns exactly {@code partitions} to this consumer (cooperatively: revoked, then assigned). */
    synchronized void assignOnNextPoll(Collection<TopicPartition> partitions) {
        List<TopicPartition> target = List.copyOf(partitions);
        rebalances.add(() -> rebalance(target));
    }

    /** At the next poll, this consumer learns it lost {@code partitions} (its session expired). */
    synchronized void loseOnNextPoll(Collection<TopicPartition> partitions) {
        List<TopicPartition> lost = List.copyOf(partitions);
        rebalances.add(() -> losePartitions(lost));
    }

    /** Whether a queued rebalance has yet to run. */
    synchronized boolean rebalancePending() {
        return !rebalances.isEmpty();
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        Runnable rebalance;
        while ((rebalance = rebalances.poll()) != null) {
            rebalance.run();
        }
        updateEndOffsets(log.ends());
        Set<TopicPartition> paused = paused();
        for (TopicPartition tp : assignment()) {
            if (!paused.contains(tp)) {
                log.read(tp, position(tp), maxPerPoll).forEach(this::addRecord);
            }
        }
        return super.poll(timeout);
    }
}
