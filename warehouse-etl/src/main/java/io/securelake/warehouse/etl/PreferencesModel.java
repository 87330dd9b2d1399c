package io.securelake.warehouse.etl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.row_number;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.expressions.Window;

/**
 * Customer alert preferences: {@code fact_preference_change}, every change, partitioned by {@code dt};
 * and {@code preference_current}, the state in force per customer and alert type (latest change wins).
 */
final class PreferencesModel implements DatasetModel {
    static final String FACT = "fact_preference_change";
    static final String CURRENT = "preference_current";

    static final List<QualityRule> RULES = List.of(
            new QualityRule("threshold_non_negative", "threshold IS NULL OR threshold >= 0", "threshold must not be negative"),
            new QualityRule("threshold_has_currency", "threshold IS NULL OR currency RLIKE '^[A-Z]{3}$'",
                    "a threshold needs an ISO 4217 currency"),
            new QualityRule("event_time_not_future", "event_time <= unix_millis(current_timestamp()) + 3600000",
                    "event_time lies more than an hour in the future"),
            new QualityRule("customer_present", "customer_id IS NOT NULL AND length(customer_id) > 0", "customer_id is missing"));

    @Override
    public String dataset() {
        return "customer_preferences";
    }

    @Override
    public List<TableResult> write(ModelContext ctx, Dataset<Row> raw) {
        Dataset<Row> events = raw.select(
                        col("event_id"),
                        expr("unix_millis(event_time)").as("event_time"),
                        col("event_time").as("event_ts"),
                        col("customer_id"), col("email"), col("phone"),
                        col("alert_type").cast("string").as("alert_type"),
                        col("delivery_channel").cast("string").as("delivery_channel"),
                        col("enabled"), col("threshold"), col("currency"),
                        col("changed_by").cast("string").as("changed_by"), col("source_app"),
                        date_format(col("event_time"), "yyyy-MM-dd").as("dt"));
        TableResult fact = Quarantine.writeFact(ctx, FACT, events, RULES);

        Dataset<Row> current = ctx.spark().read().parquet(ctx.tableDir(FACT))
                .withColumn("_rank", row_number().over(Window.partitionBy("customer_id", "alert_type")
                        .orderBy(col("event_time").desc(), col("event_id").desc())))
                .filter(col("_rank").equalTo(1))
                .select(col("customer_id"), col("alert_type"), col("enabled"), col("delivery_channel"),
                        col("threshold"), col("currency"), col("email"), col("phone"), col("changed_by"),
                        col("event_time"), col("event_ts").as("updated_at"), col("event_id").as("last_change_id"))
                .persist();
        long currentRows = current.count();
        current.write().mode(SaveMode.Overwrite).parquet(ctx.tableDir(CURRENT));
        current.unpersist();
        return List.of(fact,
                new TableResult(ctx.database(), CURRENT, fact.rowsWritten(), currentRows, 0));
    }

    @Override
    public List<TableSpec> tables(String curatedDir) {
        return List.of(new TableSpec(FACT, curatedDir + "/" + FACT, Optional.of("dt")),
                new TableSpec(CURRENT, curatedDir + "/" + CURRENT, Optional.empty()),
                Quarantine.table(curatedDir));
    }
}
