package io.securelake.audit;

/**
 * Where audit records go. Implementations are thread-safe. {@link #write} may buffer; {@link #flush}
 * makes everything written so far durable (or throws); {@link #close} flushes first.
 */
public interface AuditSink extends AutoCloseable {

    void write(AuditRecord record) throws AuditSinkException;

    void flush() throws AuditSinkException;

    @Override
    void close() throws AuditSinkException;
}
