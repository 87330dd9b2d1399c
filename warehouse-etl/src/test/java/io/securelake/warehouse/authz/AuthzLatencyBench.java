package io.securelake.warehouse.authz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CurrentUserContext;

/**
 * Per-statement latency with and without the Ranger extension, in one JVM and one SparkContext: a
 * baseline root session built without extensions and a second root session built
 * {@code withExtensions(new RangerSparkExtension())}, over the same Hive metastore and data. The
 * extension session runs as alice (masks on 4 columns, a row filter); the baseline has no user.
 * <p>"plan" is {@code spark.sql(q)} (parse, analysis, the extension's rules and check, audit enqueue;
 * commands also execute); "total" adds {@code collectAsList()}. Not a unit test: run it by hand,
 * from the module directory, after {@code mvn -pl warehouse-etl -o test-compile}:
 * <pre>
 * mvn -B -q -o -pl warehouse-etl dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-cp.txt
 * java $(the --add-opens list of the surefire argLine in pom.xml) \
 *   -cp target/classes:target/test-classes:$(cat target/test-cp.txt) \
 *   io.securelake.warehouse.authz.AuthzLatencyBench [iterations, default 200] [rows, default 100000]
 * </pre>
 */
public final class AuthzLatencyBench {
    private static final String PAYMENTS = "payments_dev.fact_payment";

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path dir = Files.createTempDirectory("authz-bench");
        System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());

        SparkSession baseline = SparkSession.builder().master("local[2]").appName("authz-bench")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toUri().toString())
                .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                        "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true")
                .config(AuthzSettings.ENVIRONMENT, "dev")
                .config(AuthzSettings.ENVS_DIR, AuthzSpark.envsDir().toAbsolutePath().toString())
                .config(AuthzSettings.POLICIES_DIR, AuthzSpark.policiesDir().toAbsolutePath().toString())
                .config(AuthzSettings.AUDIT_DIR, dir.resolve("audit").toString())
                .enableHiveSupport().getOrCreate();
        long now = System.currentTimeMillis();
        baseline.sql("CREATE DATABASE payments_dev");
        baseline.sql("CREATE TABLE " + PAYMENTS + " USING parquet AS SELECT concat('e', id) AS event_id,"
                + " " + now + " - (id % 60) * 86400000 AS event_time, lpad(cast(id AS string), 16, '4') AS card_number,"
                + " concat('ACC-', lpad(cast(id % 5000 AS string), 7, '0')) AS account_id, concat('Customer ', id % 997) AS customer_name,"
                + " concat('c', id, '@example.com') AS email, cast(id % 1000 AS decimal(18,2)) AS amount,"
                + " IF(id % 3 = 0, 'USD', 'EUR') AS currency FROM range(" + rows + ")");
        baseline.sql("CREATE VIEW payments_dev.v_payments AS SELECT event_id, card_number, amount FROM " + PAYMENTS);

        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        SparkSession authz = SparkSession.builder().withExtensions(new RangerSparkExtension()).getOrCreate();
        if (authz == baseline) {
            throw new IllegalStateException("expected a second root session");
        }

        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("count(*)", "SELECT count(*) FROM " + PAYMENTS);
        queries.put("project+filter", "SELECT event_id, card_number, customer_name FROM " + PAYMENTS
                + " WHERE currency = 'USD' LIMIT 100");
        queries.put("aggregate", "SELECT currency, count(*), sum(amount) FROM " + PAYMENTS + " GROUP BY currency");
        queries.put("view", "SELECT * FROM payments_dev.v_payments LIMIT 100");
        queries.put("self-join", "SELECT a.event_id, b.card_number FROM " + PAYMENTS + " a JOIN " + PAYMENTS
                + " b ON a.event_id = b.event_id LIMIT 100");
        queries.put("SHOW TABLES", "SHOW TABLES IN payments_dev");
        queries.put("DESCRIBE", "DESCRIBE " + PAYMENTS);
        queries.put("SELECT 1", "SELECT 1");

        System.out.printf(Locale.ROOT, "%d iterations per cell after %d warm-up, %d rows, local[2], %s%n%n", iterations,
                Math.max(20, iterations / 10), rows, System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-15s | %-21s | %-21s | %-21s | %-21s | %s%n", "statement",
                "plan base p50/p95", "plan authz p50/p95", "total base p50/p95", "total authz p50/p95", "plan overhead p50");
        System.out.println("-".repeat(130));
        for (Map.Entry<String, String> q : queries.entrySet()) {
            String sql = q.getValue();
            double[][] plan = measure(iterations, () -> baseline.sql(sql), () -> asAlice(() -> authz.sql(sql)));
            double[][] total = measure(iterations, () -> baseline.sql(sql).collectAsList(),
                    () -> asAlice(() -> authz.sql(sql).collectAsList()));
            double[] planBase = plan[0];
            double[] planAuthz = plan[1];
            double[] totalBase = total[0];
            double[] totalAuthz = total[1];
            System.out.printf(Locale.ROOT, "%-15s | %8.2f / %8.2f ms | %8.2f / %8.2f ms | %8.2f / %8.2f ms | %8.2f / %8.2f ms | %+.2f ms%n",
                    q.getKey(), p(planBase, 50), p(planBase, 95), p(planAuthz, 50), p(planAuthz, 95),
                    p(totalBase, 50), p(totalBase, 95), p(totalAuthz, 50), p(totalAuthz, 95),
                    p(planAuthz, 50) - p(planBase, 50));
        }
        authz.stop();
        System.exit(0);
    }

    private static <T> T asAlice(Supplier<T> work) {
        CurrentUserContext.CURRENT_USER().set("alice");
        try {
            return work.get();
        } finally {
            CurrentUserContext.CURRENT_USER().remove();
        }
    }

    /** Baseline and extension alternate, so drift (JIT, GC, other load on the machine) hits both alike. */
    private static double[][] measure(int iterations, Supplier<?> base, Supplier<?> authz) {
        for (int i = 0; i < Math.max(20, iterations / 10); i++) {
            base.get();
            authz.get();
        }
        List<Double> b = new ArrayList<>();
        List<Double> a = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            b.add(time(base));
            a.add(time(authz));
        }
        return new double[][] {sorted(b), sorted(a)};
    }

    private static double time(Supplier<?> work) {
        long t0 = System.nanoTime();
        work.get();
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double[] sorted(List<Double> ms) {
        double[] out = ms.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(out);
        return out;
    }

    private static double p(double[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }
}
