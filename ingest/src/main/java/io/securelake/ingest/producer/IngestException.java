package io.securelake.ingest.producer;

/** An event could not be delivered at all (not even dead-lettered): authorisation, Kerberos, keys, broker. */
public final class IngestException extends RuntimeException {
    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}
