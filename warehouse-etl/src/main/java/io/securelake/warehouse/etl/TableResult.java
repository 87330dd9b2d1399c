package io.securelake.warehouse.etl;

/** What one run did to one table. */
public record TableResult(String database, String table, long rowsRead, long rowsWritten, long rowsQuarantined) {
}
