package io.securelake.warehouse.etl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Applies a table's quality rules: rows passing all of them continue to the table, the others land in
 * the dataset's {@value #TABLE} table (partitioned by source table and {@code dt}) with the first rule
 * they broke, its reason, the run and the row itself as JSON (classified fields still ciphertext).
 */
final class Quarantine {
    static final String TABLE = io.securelake.envs.EnvironmentNames.QUALITY_QUARANTINE_TABLE;
    private static final String RULE = "_dq_rule";

    /** The rows of one table after its rules: {@code good} without the marker column, {@code bad} marked. */
    record Split(Dataset<Row> good, Dataset<Row> bad) {
    }

    private Quarantine() {
    }

    static Split apply(Dataset<Row> rows, List<QualityRule> rules) {
        StringBuilder caseExpr = new StringBuilder("CASE");
        for (QualityRule r : rules) {
            caseExpr.append(" WHEN NOT coalesce((").append(r.condition()).append("), false) THEN '")
                    .append(r.name()).append("'");
        }
        caseExpr.append(" END");
        Dataset<Row> marked = rows.withColumn(RULE, expr(caseExpr.toString()));
        return new Split(marked.filter(col(RULE).isNull()).drop(RULE), marked.filter(col(RULE).isNotNull()));
    }

    /** Rewrites the quarantine partitions of {@code sourceTable} for the dt values present in {@code bad}. */
    static void write(ModelContext ctx, String sourceTable, Dataset<Row> bad, List<QualityRule> rules, String keyColumn) {
        StringBuilder reason = new StringBuilder("CASE " + RULE);
        for (QualityRule r : rules) {
            reason.append(" WHEN '").append(r.name()).append("' THEN '").append(r.reason().replace("'", "''")).append("'");
        }
        reason.append(" END");
        Column[] original = Arrays.stream(bad.columns()).filter(c -> !c.equals(RULE)).map(c -> col("`" + c + "`"))
                .toArray(Column[]::new);
        bad.select(lit(sourceTable).as("source_table"), col(RULE).as("rule"), expr(reason.toString()).as("reason"),
                        col(keyColumn).cast("string").as("record_key"), col("event_time"), lit(ctx.runId()).as("run_id"),
                        to_json(struct(original)).as("record"), col("dt"))
                .write().mode(SaveMode.Overwrite).partitionBy("source_table", "dt")
                .parquet(ctx.tableDir(TABLE));
    }

    /**
     * Writes a fact table's rebuilt {@code dt} partitions: duplicates of an {@code event_id} collapsed (the raw
     * zone holds each accepted event once; a producer that re-sent one gets one row), rows breaking a rule
     * to the quarantine, the rest to {@code <table>/dt=…}.
     */
    static TableResult writeFact(ModelContext ctx, String table, Dataset<Row> events, List<QualityRule> rules) {
        Dataset<Row> unique = events.dropDuplicates("event_id").persist();
        try {
            long read = unique.count();
            Split split = apply(unique, rules);
            Dataset<Row> good = split.good().persist();
            Dataset<Row> bad = split.bad().persist();
            try {
                long written = good.count();
                long quarantined = bad.count();
                good.write().mode(SaveMode.Overwrite).partitionBy("dt").parquet(ctx.tableDir(table));
                if (quarantined > 0) {
                    write(ctx, table, bad, rules, "event_id");
                }
                return new TableResult(ctx.database(), table, read, written, quarantined);
            } finally {
                good.unpersist();
                bad.unpersist();
            }
        } finally {
            unique.unpersist();
        }
    }

    static TableSpec table(String curatedDir) {
        return new TableSpec(TABLE, curatedDir + "/" + TABLE, java.util.Optional.of("source_table, dt"),
                java.util.Optional.of("rule STRING, reason STRING, record_key STRING, event_time BIGINT, run_id STRING, "
                        + "record STRING, source_table STRING, dt STRING"));
    }
}
