package io.securelake.ingest.producer;

/** What became of one event handed to {@link SecureProducer}. */
public sealed interface IngestResult {

    /** Written to the raw topic (acknowledged by all in-sync replicas). */
    record Accepted(String topic, int partition, long offset) implements IngestResult {
    }

    /**
     * Refused by validation and kept on the dead-letter topic, with an audit record.
     *
     * @param field the offending field path, or empty when the event as a whole was refused
     */
    record DeadLettered(String reason, String field, String topic, int partition, long offset) implements IngestResult {
    }
}
