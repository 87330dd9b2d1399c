package io.securelake.warehouse.authz;

import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CurrentUserContext;

/**
 * One local Spark session with Hive support (Derby metastore and warehouse in a temporary directory),
 * the Ranger extension, the real environment definitions and the given policy root. Statements run as
 * a user the way the Thrift server runs them: with {@link CurrentUserContext#CURRENT_USER()} set on the
 * calling thread. One per test class (surefire forks a JVM per class; a JVM holds one SparkContext).
 */
final class AuthzSpark implements AutoCloseable {
    static final String ETL = "svc-etl-dev";
    static final long DAY_MS = 86_400_000L;

    final Path dir;
    final Path auditRoot;
    final SparkSession spark;

    private AuthzSpark(Path dir, SparkSession spark) {
        this.dir = dir;
        this.auditRoot = dir.resolve("audit");
        this.spark = spark;
    }

    static Path envsDir() {
        return ShippedEnvironments.envsDir();
    }

    static Path policiesDir() {
        return ShippedEnvironments.policiesDir();
    }

    static AuthzSpark start(Path policiesRoot) {
        try {
            Path dir = Files.createTempDirectory("authz-spark");
            // Derby writes derby.log into the working directory unless told otherwise.
            System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
            SparkSession spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("authz-test")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.default.parallelism", "2")
                    .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toUri().toString())
                    .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                            "jdbc:derby:;databaseName=" + dir.resolve("metastore_db") + ";create=true")
                    .config("spark.sql.extensions", RangerSparkExtension.class.getName())
                    .config("spark.sql.variable.substitute", "false") // as the query server; refused otherwise
                    .config(AuthzSettings.ENVIRONMENT, "dev")
                    .config(AuthzSettings.ENVS_DIR, envsDir().toAbsolutePath().toString())
                    .config(AuthzSettings.POLICIES_DIR, policiesRoot.toAbsolutePath().toString())
                    .config(AuthzSettings.AUDIT_DIR, dir.resolve("audit").toString())
                    .enableHiveSupport()
                    .getOrCreate();
            return new AuthzSpark(dir, spark);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a statement as {@code user} (the Thrift server's way) and collects its rows. */
    List<Row> sql(String user, String statement) {
        return as(user, () -> spark.sql(statement).collectAsList());
    }

    <T> T as(String user, Callable<T> work) {
        CurrentUserContext.CURRENT_USER().set(user);
        try {
            return work.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            CurrentUserContext.CURRENT_USER().remove();
        }
    }

    /**
     * payments_dev.fact_payment (a partitioned Parquet data source table, as the ETL registers them) with
     * two recent rows and one 40 days old, created and filled by the ETL principal through the extension.
     */
    void createPayments() {
        long now = System.currentTimeMillis();
        sql(ETL, "CREATE DATABASE IF NOT EXISTS payments_dev");
        sql(ETL, "CREATE TABLE payments_dev.fact_payment (event_id STRING, event_time BIGINT, card_number STRING,"
                + " account_id STRING, customer_name STRING, email STRING, phone STRING, amount DECIMAL(18,2),"
                + " currency STRING, dt STRING) USING parquet PARTITIONED BY (dt)");
        sql(ETL, "INSERT INTO payments_dev.fact_payment VALUES"
                + " ('e1', " + (now - DAY_MS) + ", '4111111111111111', 'ACC-0001234', 'Ann Smith', 'ann@example.com',"
                + "  '+44 20 7946 0001', 10.50, 'EUR', 'recent'),"
                + " ('e2', " + (now - 2 * DAY_MS) + ", '5500-0000-0000-0004', 'ACC-0009876', 'Bob Jones', 'bob@example.com',"
                + "  '+44 20 7946 0002', 20.00, 'USD', 'recent'),"
                + " ('e3', " + (now - 40 * DAY_MS) + ", '4000000000000002', 'ACC-0005555', 'Old Customer', 'old@example.com',"
                + "  '+44 20 7946 0003', 99.99, 'EUR', 'old')");
    }

    @Override
    public void close() {
        spark.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
