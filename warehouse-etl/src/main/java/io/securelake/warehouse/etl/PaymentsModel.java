package io.securelake.warehouse.etl;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Payments (card, ATM, POS): {@code fact_payment}, one row per event, partitioned by {@code dt}; and
 * {@code dim_customer}, one row per version of a customer (SCD type 2 on the card in use and the
 * country), the current one flagged. Classified fields stay as the producer encrypted them:
 * {@code account_id} and {@code card_number} are deterministic ciphertext (joinable, groupable), names,
 * e-mails and phones randomized ciphertext.
 */
final class PaymentsModel implements DatasetModel {
    static final String FACT = "fact_payment";
    static final String DIM = "dim_customer";

    static final List<QualityRule> FACT_RULES = List.of(
            new QualityRule("amount_positive", "amount > 0", "amount must be present and greater than zero"),
            new QualityRule("currency_iso4217", "currency RLIKE '^[A-Z]{3}$'", "currency must be an ISO 4217 code (three capital letters)"),
            new QualityRule("country_iso3166", "country RLIKE '^[A-Z]{2}$'", "location.country must be an ISO 3166-1 alpha-2 code"),
            new QualityRule("event_time_not_future", "event_time <= " + "unix_millis(current_timestamp()) + 3600000",
                    "event_time lies more than an hour in the future"),
            new QualityRule("account_present", "account_id IS NOT NULL AND length(account_id) > 0", "account_id is missing"));

    @Override
    public String dataset() {
        return "payments";
    }

    @Override
    public List<TableResult> write(ModelContext ctx, Dataset<Row> raw) {
        Dataset<Row> events = raw.select(
                        col("event_id"),
                        expr("unix_millis(event_time)").as("event_time"),
                        col("event_time").as("event_ts"),
                        col("channel").cast("string").as("channel"),
                        col("card_number"), col("account_id"), col("customer_name"), col("email"), col("phone"),
                        col("amount"), col("currency"),
                        col("merchant.id").as("merchant_id"), col("merchant.name").as("merchant_name"),
                        col("merchant.category_code").as("merchant_category_code"),
                        col("terminal.id").as("terminal_id"), col("terminal.type").cast("string").as("terminal_type"),
                        col("location.city").as("city"), col("location.country").as("country"),
                        col("status").cast("string").as("status"), col("response_code"),
                        date_format(col("event_time"), "yyyy-MM-dd").as("dt"));
        TableResult fact = Quarantine.writeFact(ctx, FACT, events, FACT_RULES);

        // The dimension is recomputed from the whole fact table: versions depend on every event of a customer.
        WindowSpec byTime = Window.partitionBy("account_id").orderBy("event_time", "event_id");
        Dataset<Row> versions = ctx.spark().read().parquet(ctx.tableDir(FACT))
                .withColumn("_changed", when(lag("card_number", 1).over(byTime).isNull()
                        .or(lag("card_number", 1).over(byTime).notEqual(col("card_number")))
                        .or(lag("country", 1).over(byTime).notEqual(col("country"))), 1).otherwise(0))
                .withColumn("version", sum("_changed").over(byTime))
                .groupBy("account_id", "version")
                .agg(min("event_ts").as("valid_from"),
                        latest("card_number"), latest("country"), latest("customer_name"), latest("email"), latest("phone"),
                        count("*").as("payments"), max("event_ts").as("last_seen"));
        WindowSpec byVersion = Window.partitionBy("account_id").orderBy("version");
        Dataset<Row> dim = versions
                .withColumn("valid_to", lead("valid_from", 1).over(byVersion))
                .withColumn("is_current", col("valid_to").isNull())
                .select("account_id", "version", "card_number", "country", "customer_name", "email", "phone",
                        "valid_from", "valid_to", "is_current", "payments", "last_seen")
                // event_time (epoch ms of the version's last payment) lets the retention row filter apply here too.
                .withColumn("event_time", expr("unix_millis(last_seen)"))
                .persist();
        long dimRows = dim.count();
        dim.write().mode(SaveMode.Overwrite).parquet(ctx.tableDir(DIM));
        dim.unpersist();
        return List.of(fact,
                new TableResult(ctx.database(), DIM, fact.rowsWritten(), dimRows, 0));
    }

    /** The column's value on the customer's latest event within the group (deterministic, unlike last()). */
    static org.apache.spark.sql.Column latest(String column) {
        return expr("max_by(" + column + ", struct(event_time, event_id))").as(column);
    }

    @Override
    public List<TableSpec> tables(String curatedDir) {
        return List.of(new TableSpec(FACT, curatedDir + "/" + FACT, Optional.of("dt")),
                new TableSpec(DIM, curatedDir + "/" + DIM, Optional.empty()),
                Quarantine.table(curatedDir));
    }
}
