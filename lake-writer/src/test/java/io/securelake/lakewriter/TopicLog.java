package io.securelake.lakewriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * A raw topic as a test builds it: per partition, records at offsets 0, 1, 2, … of which a prefix is published
 * (what consumers can read). Shared by every consumer of a test, as Kafka's log is shared by every writer; the test
 * thread is its only user.
 */
final class TopicLog {

    private final String topic;
    private final Map<Integer, List<ConsumerRecord<byte[], byte[]>>> records = new TreeMap<>();
    private final Map<Integer, Integer> published = new HashMap<>();
    /** The event id at each offset; absent for a record that is not an event (quarantined). */
    private final Map<TopicPartition, Map<Long, String>> ids = new HashMap<>();

    TopicLog(String topic, int partitions) {
        this.topic = topic;
        for (int p = 0; p < partitions; p++) {
            records.put(p, new ArrayList<>());
            published.put(p, 0);
            ids.put(new TopicPartition(topic, p), new TreeMap<>());
        }
    }

    String topic() {
        return topic;
    }

    List<TopicPartition> partitions() {
        return records.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
    }

    /** Appends an event (not yet published). */
    long append(int partition, TestEvents.Event event) {
        long offset = add(partition, event.value());
        ids.get(new TopicPartition(topic, partition)).put(offset, event.id());
        return offset;
    }

    /** Appends a value that is no event of the dataset: the writer must quarantine it. */
    long appendGarbage(int partition, String text) {
        return add(partition, text.getBytes(StandardCharsets.UTF_8));
    }

    private long add(int partition, byte[] value) {
        List<ConsumerRecord<byte[], byte[]>> log = records.get(partition);
        long offset = log.size();
        log.add(new ConsumerRecord<>(topic, partition, offset, 1_764_000_000_000L + offset, TimestampType.CREATE_TIME,
                -1, value.length, ("k" + offset).getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(), Optional.empty()));
        return offset;
    }

    /** Makes the first {@code upTo} records of every partition readable (at most what each holds). */
    void publish(int upTo) {
        records.forEach((p, log) -> published.put(p, Math.min(upTo, log.size())));
    }

    void publishAll() {
        records.forEach((p, log) -> published.put(p, log.size()));
    }

    /** The published end: the offset the next published record will have. */
    long end(TopicPartition tp) {
        return published.get(tp.partition());
    }

    Map<TopicPartition, Long> ends() {
        Map<TopicPartition, Long> out = new HashMap<>();
        partitions().forEach(tp -> out.put(tp, end(tp)));
        return out;
    }

    /** Published records of {@code tp} from {@code offset} on, at most {@code max}. */
    List<ConsumerRecord<byte[], byte[]>> read(TopicPartition tp, long offset, int max) {
        List<ConsumerRecord<byte[], byte[]>> log = records.get(tp.partition());
        int from = (int) Math.min(offset, published.get(tp.partition()));
        int to = Math.min(published.get(tp.partition()), from + max);
        return log.subList(from, to);
    }

    /** Event id by offset, for each partition: what the raw zone must hold exactly once. */
    Map<TopicPartition, Map<Long, String>> events() {
        return ids;
    }

    /** Offsets of the records that are no events, which the quarantine must hold. */
    List<Long> garbageOffsets(TopicPartition tp) {
        List<Long> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records.get(tp.partition())) {
            if (!ids.get(tp).containsKey(r.offset())) {
                out.add(r.offset());
            }
        }
        return out;
    }
}
