package io.securelake.ingest.audit;

/** Where audit records go. Implementations are thread-safe and durable enough for their use. */
public interface AuditSink extends AutoCloseable {

    void write(AuditRecord record);

    @Override
    default void close() {
    }
}
