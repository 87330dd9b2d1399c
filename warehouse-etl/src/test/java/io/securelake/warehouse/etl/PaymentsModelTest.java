package io.securelake.warehouse.etl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The payments model on a local Spark session: quality rules, duplicates, dt partitions, customer versions. */
class PaymentsModelTest {
    static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("payments-model-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .config("spark.sql.warehouse.dir", dir.resolve("wh").toUri().toString())
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Raw events as the lake-writer lands them (Avro record → Spark row), classified fields as opaque strings. */
    static Dataset<Row> raw(String... rows) {
        String values = String.join(",\n", rows);
        return spark.sql("SELECT event_id, CAST(event_time AS TIMESTAMP) AS event_time, channel, card_number, account_id, "
                + "customer_name, email, CAST(phone AS STRING) AS phone, CAST(amount AS DECIMAL(18,2)) AS amount, currency, "
                + "named_struct('id', 'm1', 'name', 'Shop', 'category_code', '5411') AS merchant, "
                + "named_struct('id', 't1', 'type', 'POS') AS terminal, "
                + "named_struct('city', 'Paris', 'country', country, 'latitude', CAST(NULL AS DOUBLE), 'longitude', CAST(NULL AS DOUBLE)) AS location, "
                + "'APPROVED' AS status, '00' AS response_code FROM VALUES " + values
                + " AS t(event_id, event_time, channel, card_number, account_id, customer_name, email, phone, amount, currency, country)");
    }

    static String row(String id, String time, String card, String account, String amount, String currency, String country) {
        return "('%s', '%s', 'POS', '%s', '%s', 'enc-name-%s', 'enc-mail', NULL, '%s', '%s', '%s')"
                .formatted(id, time, card, account, id, amount, currency, country);
    }

    @Test
    void goodRowsReachTheFactTableBadOnesTheQuarantineWithTheirRule() {
        String curated = dir.resolve("curated-1").toUri().toString();
        List<TableResult> results = new PaymentsModel().write(new ModelContext(spark, "payments_test", curated, "run-1", 0),
                raw(row("e1", "2026-11-20 10:00:00", "cardA", "acc1", "10.00", "EUR", "FR"),
                        row("e1", "2026-11-20 10:00:00", "cardA", "acc1", "10.00", "EUR", "FR"),
                        row("e2", "2026-11-21 09:00:00", "cardA", "acc1", "0.00", "EUR", "FR"),
                        row("e3", "2026-11-21 09:30:00", "cardB", "acc2", "5.00", "eur", "FR"),
                        row("e4", "2026-11-21 11:00:00", "cardC", "acc2", "7.00", "USD", "US")));

        assertThat(results.get(0)).isEqualTo(new TableResult("payments_test", "fact_payment", 4, 2, 2));
        Dataset<Row> fact = spark.read().parquet(curated + "/fact_payment");
        assertThat(fact.select("event_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("e1", "e4");
        assertThat(fact.select("dt").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
                .containsExactlyInAnyOrder("2026-11-20", "2026-11-21");
        Row e1 = fact.filter("event_id = 'e1'").first();
        assertThat(e1.<Long>getAs("event_time")).isEqualTo(java.time.Instant.parse("2026-11-20T10:00:00Z").toEpochMilli());

        Dataset<Row> bad = spark.read().parquet(curated + "/dq_quarantine");
        assertThat(bad.select("record_key", "rule").collectAsList()).extracting(r -> r.getString(0) + ":" + r.getString(1))
                .containsExactlyInAnyOrder("e2:amount_positive", "e3:currency_iso4217");
        assertThat(bad.filter("record_key = 'e3'").first().<String>getAs("reason")).contains("ISO 4217");
        assertThat(bad.filter("record_key = 'e3'").first().<String>getAs("record")).contains("\"currency\":\"eur\"");
    }

    @Test
    void aCustomerGetsANewVersionWhenCardOrCountryChangesAndOnlyTheLatestIsCurrent() {
        String curated = dir.resolve("curated-2").toUri().toString();
        new PaymentsModel().write(new ModelContext(spark, "payments_test", curated, "run-1", 0),
                raw(row("a1", "2026-11-01 10:00:00", "cardA", "acc1", "1.00", "EUR", "FR"),
                        row("a2", "2026-11-02 10:00:00", "cardA", "acc1", "1.00", "EUR", "FR"),
                        row("a3", "2026-11-03 10:00:00", "cardB", "acc1", "1.00", "EUR", "FR"),
                        row("a4", "2026-11-04 10:00:00", "cardB", "acc1", "1.00", "EUR", "DE"),
                        row("b1", "2026-11-04 10:00:00", "cardZ", "acc2", "1.00", "EUR", "FR")));
        List<Row> versions = spark.read().parquet(curated + "/dim_customer").filter("account_id = 'acc1'")
                .orderBy("version").collectAsList();
        assertThat(versions).extracting(r -> r.getString(r.fieldIndex("card_number")) + "/" + r.getString(r.fieldIndex("country"))
                + "/" + r.getBoolean(r.fieldIndex("is_current")) + "/" + r.getLong(r.fieldIndex("payments")))
                .containsExactly("cardA/FR/false/2", "cardB/FR/false/1", "cardB/DE/true/1");
        assertThat(versions.get(0).<Object>getAs("valid_to")).isEqualTo(versions.get(1).getAs("valid_from"));
        assertThat(spark.read().parquet(curated + "/dim_customer").filter("is_current").count()).isEqualTo(2);
    }

    @Test
    void rebuildingTheSameDaysGivesTheSameTables() {
        String curated = dir.resolve("curated-3").toUri().toString();
        Dataset<Row> input = raw(row("r1", "2026-11-10 10:00:00", "cardA", "acc1", "3.00", "EUR", "FR"),
                row("r2", "2026-11-11 10:00:00", "cardA", "acc1", "4.00", "EUR", "FR"));
        PaymentsModel model = new PaymentsModel();
        model.write(new ModelContext(spark, "payments_test", curated, "run-1", 0), input);
        model.write(new ModelContext(spark, "payments_test", curated, "run-2", 0), input);
        assertThat(spark.read().parquet(curated + "/fact_payment").count()).isEqualTo(2);
        // A later run that rebuilds only one day leaves the other day's partition as it was.
        model.write(new ModelContext(spark, "payments_test", curated, "run-3", 0),
                raw(row("r2", "2026-11-11 10:00:00", "cardA", "acc1", "4.00", "EUR", "FR"),
                        row("r3", "2026-11-11 12:00:00", "cardA", "acc1", "5.00", "EUR", "FR")));
        assertThat(spark.read().parquet(curated + "/fact_payment").count()).isEqualTo(3);
    }

    @Test
    void registrationCreatesExternalTablesAndRecoversPartitions() {
        List<String> sql = TableRegistrar.statements("payments_dev", "hdfs://nn/lake/dev/curated/payments",
                new PaymentsModel().tables("hdfs://nn/lake/dev/curated/payments"));
        assertThat(sql).first().isEqualTo("CREATE DATABASE IF NOT EXISTS `payments_dev` LOCATION 'hdfs://nn/lake/dev/curated/payments'");
        assertThat(sql).contains("CREATE TABLE IF NOT EXISTS `payments_dev`.`fact_payment` USING parquet "
                        + "LOCATION 'hdfs://nn/lake/dev/curated/payments/fact_payment'",
                "ALTER TABLE `payments_dev`.`fact_payment` RECOVER PARTITIONS",
                "REFRESH TABLE `payments_dev`.`dim_customer`");
        assertThat(sql).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS `payments_dev`.`dq_quarantine` (rule STRING")
                .contains("PARTITIONED BY (source_table, dt)"));
        assertThat(new PaymentsModel().tables("x")).extracting(TableSpec::partitionColumns)
                .containsExactly(Optional.of("dt"), Optional.empty(), Optional.of("source_table, dt"));
    }
}
