package io.securelake.ingest.schema;

/** An event names a schema version this catalog does not have (a newer producer, or corrupt bytes). */
public final class UnknownSchemaVersionException extends RuntimeException {
    public UnknownSchemaVersionException(String dataset, int version, int latest) {
        super("dataset " + dataset + " has no schema v" + version + " (latest known: v" + latest + ")");
    }
}
