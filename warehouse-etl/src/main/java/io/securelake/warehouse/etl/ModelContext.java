package io.securelake.warehouse.etl;

import org.apache.spark.sql.SparkSession;

/** What a model needs while it writes: the session, where its tables go, and the run's identity. */
public record ModelContext(SparkSession spark, String database, String curatedDir, String runId, long startedAtMillis) {
    public String tableDir(String table) {
        return curatedDir + "/" + table;
    }
}
