package io.securelake.ingest.producer;

/**
 * Counters since the producer was opened.
 *
 * @param accepted     events acknowledged on the raw topic
 * @param deadLettered events refused and acknowledged on the dead-letter topic
 * @param failed       events that could not be delivered anywhere (their futures failed)
 * @param bytes        bytes of accepted event values (after encryption and encoding)
 */
public record ProducerStats(long accepted, long deadLettered, long failed, long bytes) {
}
