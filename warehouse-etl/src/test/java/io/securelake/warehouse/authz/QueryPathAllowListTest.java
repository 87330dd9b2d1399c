package io.securelake.warehouse.authz;

import static io.securelake.warehouse.authz.AuthzSpark.ETL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.apache.hive.service.cli.HiveSQLException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CurrentUserContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allow-list of Spark SQL people may use ({@link SqlSurface}, {@link SessionSettings}, the commands
 * no policy can grant), in a real local Spark session with the real dev policies. The same attacks run
 * through Knox against the real query server in WarehouseJourneyIT (the adversarial table); here each
 * construct is pinned down, and the allow-list is shown not to refuse what analysts write every day.
 */
class QueryPathAllowListTest {
    private static final String PAYMENTS = "payments_dev.fact_payment";
    private static AuthzSpark s;

    @BeforeAll
    static void start() {
        s = AuthzSpark.start(AuthzSpark.policiesDir());
        s.createPayments();
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void codeOnTheServerIsRefusedForEveryoneWhateverThePolicies() {
        Map<String, String> refused = Map.of(
                "SELECT TRANSFORM('x') USING 'id' AS (o STRING)", "[TRANSFORM … USING]: it runs a program on the query server",
                "FROM " + PAYMENTS + " MAP event_id USING 'cat' AS (o STRING)", "[TRANSFORM … USING]",
                "SELECT reflect('java.lang.System', 'exit', 0)", "[reflect/java_method]: it calls arbitrary Java code",
                "SELECT event_id FROM " + PAYMENTS + " WHERE java_method('java.lang.System', 'getProperty', 'x') IS NULL",
                "[reflect/java_method]",
                "SELECT event_id FROM " + PAYMENTS + " WHERE event_id IN (SELECT reflect('java.lang.System', 'getenv', 'HOME'))",
                "[reflect/java_method]",
                "SELECT input_file_name() FROM " + PAYMENTS, "[input_file_name()]: it reveals the server's storage paths");
        refused.forEach((sql, why) -> {
            // The ETL principal is granted everything on the table: the refusal is not a policy's.
            for (String user : List.of("alice", ETL)) {
                assertThatThrownBy(() -> s.sql(user, sql)).as(sql).isInstanceOf(AccessDeniedException.class)
                        .hasMessageStartingWith("Permission denied: user [" + user + "] may not use ").hasMessageContaining(why);
            }
        });
    }

    @Test
    void settingsOutsideTheAllowListAreNeitherChangedNorRead() {
        assertThatThrownBy(() -> s.sql("alice", "SET spark.sql.optimizer.excludedRules=org.apache.spark.sql.catalyst.optimizer.ColumnPruning"))
                .hasMessageStartingWith("Permission denied: user [alice] may not change the setting [spark.sql.optimizer.excludedRules]");
        assertThatThrownBy(() -> s.sql("alice", "SET spark.sql.warehouse.dir"))
                .hasMessageStartingWith("Permission denied: user [alice] may not read the setting [spark.sql.warehouse.dir]");
        assertThatThrownBy(() -> s.sql("alice", "SET"))
                .hasMessageStartingWith("Permission denied: user [alice] may not list the server's settings [SET]");
        assertThatThrownBy(() -> s.sql("alice", "SET -v")).hasMessageStartingWith("Permission denied: user [alice] may not read the setting [-v]");
        assertThat(s.sql("alice", "SET spark.sql.shuffle.partitions=3")).hasSize(1);
        assertThat(s.spark.conf().get("spark.sql.optimizer.excludedRules", "")).isEmpty();
    }

    @Test
    void aSessionOpenedWithAForbiddenSettingRunsNothing() {
        // What the Thrift server does with hiveconf entries of the JDBC URL when it opens a session.
        SparkSession session = s.spark.newSession();
        session.conf().set("spark.sql.optimizer.excludedRules", "org.apache.spark.sql.catalyst.optimizer.ColumnPruning");
        CurrentUserContext.CURRENT_USER().set("alice");
        try {
            assertThatThrownBy(() -> session.sql("SELECT 1").collectAsList())
                    .hasMessageStartingWith("Permission denied: user [alice] may not run statements in a session that changed"
                            + " the setting [spark.sql.optimizer.excludedRules]");
            SparkSession substituting = s.spark.newSession();
            substituting.conf().set("spark.sql.variable.substitute", "true");
            assertThatThrownBy(() -> substituting.sql("SELECT '${spark:spark.app.name}'").collectAsList())
                    .hasMessageStartingWith("Permission denied: user [alice] may not run statements on a server that"
                            + " substitutes ${…} variables in SQL text");
            assertThat(s.spark.newSession().sql("SELECT '${spark:spark.app.name}'").collectAsList().get(0).getString(0))
                    .isEqualTo("${spark:spark.app.name}");
            SparkSession fine = s.spark.newSession();
            fine.conf().set("spark.sql.session.timeZone", "UTC");
            assertThat(fine.sql("SELECT 1").collectAsList()).hasSize(1);
        } finally {
            CurrentUserContext.CURRENT_USER().remove();
        }
    }

    @Test
    void loadingCodeAndSharingViewsAcrossSessionsIsRefused() {
        for (String sql : List.of("ADD JAR /tmp/x.jar", "ADD FILE /etc/passwd", "ADD ARCHIVE /tmp/x.zip",
                "CREATE TEMPORARY FUNCTION r AS 'org.apache.hadoop.hive.ql.udf.generic.GenericUDFReflect'",
                "CREATE FUNCTION payments_dev.r AS 'org.apache.hadoop.hive.ql.udf.generic.GenericUDFReflect'")) {
            assertThatThrownBy(() -> s.sql("carol", sql)).as(sql).hasMessageContaining("may not use [")
                    .hasMessageContaining("loading code or files into the query server is never allowed");
        }
        assertThatThrownBy(() -> s.sql("alice", "CREATE GLOBAL TEMPORARY VIEW shared AS SELECT 1 AS n"))
                .hasMessageStartingWith("Permission denied: user [alice] may not use [CREATE GLOBAL TEMPORARY VIEW]");
        assertThatThrownBy(() -> s.sql("alice", "CREATE TEMPORARY VIEW files USING parquet OPTIONS (path '/lake/dev/curated')"))
                .hasMessage("Permission denied: user [alice] does not have [read] privilege on [/lake/dev/curated]");
        assertThatThrownBy(() -> s.sql("alice", "CREATE TEMPORARY VIEW meta USING jdbc OPTIONS (url 'jdbc:derby:memory:x',"
                + " dbtable 'SYS.SYSTABLES')"))
                .hasMessage("Permission denied: user [alice] does not have [read] privilege on [jdbc:derby:memory:x]");
    }

    @Test
    void placingATableOverFilesNeedsTheUrlPrivilege() {
        // (Spark qualifies the location with the default file system: file:///lake/dev/raw here, hdfs://… on the stack.)
        assertThatThrownBy(() -> s.sql("carol", "CREATE TABLE payments_dev.over_raw (a STRING) USING parquet LOCATION '/lake/dev/raw'"))
                .hasMessageStartingWith("Permission denied: user [carol] does not have [read] privilege on [")
                .hasMessageEndingWith("/lake/dev/raw]");
        assertThatThrownBy(() -> s.sql("carol", "ALTER TABLE " + PAYMENTS + " SET LOCATION '/lake/dev/raw'"))
                .hasMessageStartingWith("Permission denied: user [carol] does not have [read] privilege on [")
                .hasMessageEndingWith("/lake/dev/raw]");
        // A replaced view is changed: alter on it, not only create.
        s.sql(ETL, "CREATE VIEW IF NOT EXISTS payments_dev.v_ids AS SELECT event_id FROM " + PAYMENTS);
        assertThat(s.sql(ETL, "CREATE OR REPLACE VIEW payments_dev.v_ids AS SELECT event_id FROM " + PAYMENTS)).isEmpty();
    }

    @Test
    void metadataThatDescribesHiddenRowsIsRefused() {
        assertThatThrownBy(() -> s.sql("alice", "SHOW PARTITIONS " + PAYMENTS))
                .hasMessage("Permission denied: user [alice] may not use [SHOW PARTITIONS] on [payments_dev/fact_payment]: it shows"
                        + " storage locations, statistics or partition values of rows and columns hidden from the user");
        assertThatThrownBy(() -> s.sql("alice", "DESCRIBE FORMATTED " + PAYMENTS))
                .hasMessageStartingWith("Permission denied: user [alice] may not use [DESCRIBE EXTENDED/FORMATTED]");
        // Nothing is hidden from the ETL principal.
        assertThat(s.sql(ETL, "SHOW PARTITIONS " + PAYMENTS)).hasSize(2);
        assertThat(s.sql(ETL, "DESCRIBE EXTENDED " + PAYMENTS)).isNotEmpty();
        assertThat(s.sql("alice", "DESCRIBE " + PAYMENTS)).isNotEmpty();
    }

    @Test
    void whatAnalystsWriteEveryDayIsNotRefused() {
        List<String> everyday = List.of(
                "SELECT currency, count(*), sum(amount), avg(amount), percentile_approx(amount, 0.5) FROM " + PAYMENTS + " GROUP BY currency",
                "SELECT currency, dt, count(*) FROM " + PAYMENTS + " GROUP BY ROLLUP(currency, dt)",
                "SELECT currency, count(*) FROM " + PAYMENTS + " GROUP BY currency HAVING count(*) > 0 ORDER BY 2 DESC LIMIT 5",
                "SELECT CASE WHEN amount > 15 THEN 'big' ELSE 'small' END AS size, CAST(amount AS INT), string(amount) FROM " + PAYMENTS,
                "SELECT upper(currency), lower(event_id), substr(event_id, 1, 1), concat_ws('-', currency, dt), length(event_id),"
                        + " regexp_extract(event_id, '(\\\\d+)', 1), coalesce(email, 'none'), nvl(phone, '') FROM " + PAYMENTS,
                "SELECT to_date(from_unixtime(event_time / 1000)), date_format(timestamp_millis(event_time), 'yyyy-MM'),"
                        + " current_date() - INTERVAL 1 DAY, date_add(current_date(), 3), datediff(current_date(), DATE'2026-01-01') FROM " + PAYMENTS,
                "SELECT event_id, row_number() OVER (PARTITION BY currency ORDER BY amount DESC),"
                        + " sum(amount) OVER (ORDER BY event_time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM " + PAYMENTS,
                "SELECT transform(array(1, 2, 3), x -> x * 2), filter(array(1, 2), x -> x > 1), explode(array(1, 2))",
                "SELECT e, pos FROM " + PAYMENTS + " LATERAL VIEW posexplode(split(event_id, '')) t AS pos, e",
                "SELECT * FROM (SELECT currency, amount FROM " + PAYMENTS + ") PIVOT (sum(amount) FOR currency IN ('EUR', 'USD'))",
                "SELECT /*+ BROADCAST(b) */ a.event_id FROM " + PAYMENTS + " a JOIN " + PAYMENTS + " b ON a.event_id = b.event_id",
                "SELECT * FROM " + PAYMENTS + " TABLESAMPLE (50 PERCENT) DISTRIBUTE BY currency SORT BY amount",
                "SELECT try_divide(amount, 0), try_add(1, 2), round(amount, 1), abs(-amount), greatest(1, 2), named_struct('a', 1).a FROM " + PAYMENTS,
                "SELECT currency FROM " + PAYMENTS + " INTERSECT SELECT currency FROM " + PAYMENTS
                        + " EXCEPT SELECT 'GBP' UNION SELECT 'EUR'",
                "WITH t AS (SELECT * FROM " + PAYMENTS + ") SELECT count(DISTINCT currency), approx_count_distinct(event_id) FROM t",
                "SELECT * FROM range(3) WHERE id IN (SELECT 1) AND EXISTS (SELECT 1)",
                "SELECT hash(event_id), md5(event_id), sha2(event_id, 256), uuid() IS NOT NULL, current_user(), version() FROM " + PAYMENTS,
                "SELECT get_json_object('{\"a\":1}', '$.a'), from_json('{\"a\":1}', 'a INT'), to_json(named_struct('x', 1))",
                "SELECT event_id LIKE 'e%', event_id RLIKE '^e', event_id ILIKE 'E%', event_id LIKE ANY ('e1', 'e2') FROM " + PAYMENTS);
        for (String sql : everyday) {
            assertThat(s.sql("alice", sql)).as(sql).isNotNull();
        }
    }

    @Test
    void everyStatementLevelRefusalIsAudited() {
        assertThatThrownBy(() -> s.sql("bob", "SELECT reflect('java.lang.System', 'getenv', 'HOME')"));
        // A refusal taken after the privileges were granted (column statistics of a masked column).
        assertThatThrownBy(() -> s.sql("bob", "DESCRIBE EXTENDED " + PAYMENTS + " card_number"));
        AuthzRuntime.of(s.spark.sparkContext()).flushAudit();
        List<AuditRecord> records = AuditSearch.in(s.auditRoot.resolve("hive")).find(AuditQuery.all().withUser("bob")
                .withResult(AuditRecord.Result.DENIED));
        assertThat(records).anySatisfy(r -> {
            assertThat(r.resource()).isEqualTo("statement=use [reflect/java_method]: it calls arbitrary Java code in the query server");
            assertThat(r.reason()).startsWith("may not use [reflect/java_method]");
        });
        assertThat(records).anySatisfy(r -> assertThat(r.resource())
                .isEqualTo("statement=see the statistics of [payments_dev/fact_payment/card_number], whose values are masked"
                        + " or row-filtered for the user"));
    }

    @Test
    void aClientIsToldOneLineAndNoStackTrace() {
        HiveSQLException server = new HiveSQLException("Error running query: io.securelake.warehouse.authz.AccessDeniedException:"
                + " Permission denied: user [alice] may not use [TRANSFORM … USING]: it runs a program on the query server",
                "42000", new AccessDeniedException("Permission denied: user [alice] may not use [TRANSFORM … USING]: it runs a"
                + " program on the query server"));
        HiveSQLException forClient = ClientErrors.forClient(server);
        StringWriter sent = new StringWriter();
        forClient.printStackTrace(new PrintWriter(sent, true)); // what the Thrift server stringifies for the client
        assertThat(sent.toString().strip()).isEqualTo("Permission denied: user [alice] may not use [TRANSFORM … USING]:"
                + " it runs a program on the query server");
        // An error in the statement: its message, without the analysed plan or the table's column names.
        Throwable analysis = catchThrowable(() -> s.sql("alice", "SELECT card_numbr FROM " + PAYMENTS));
        StringWriter told = new StringWriter();
        ClientErrors.forClient(new HiveSQLException("Error running query", analysis)).printStackTrace(new PrintWriter(told, true));
        assertThat(told.toString()).contains("[UNRESOLVED_COLUMN").contains("card_numbr")
                .doesNotContain("card_number").doesNotContain("Project").doesNotContain("Relation");
        HiveSQLException internal = ClientErrors.forClient(new HiveSQLException("boom",
                new IllegalStateException("/lake/dev/raw/payments/dt=2026-12-01 is corrupt")));
        StringWriter other = new StringWriter();
        internal.printStackTrace(new PrintWriter(other, true));
        assertThat(other.toString()).startsWith("the statement failed on the query server (error id ")
                .doesNotContain("/lake").doesNotContain("Exception").doesNotContain("\tat ");
        // HDFS not answering (a NameNode restarting): said so, without its address.
        HiveSQLException storage = ClientErrors.forClient(new HiveSQLException("Error running query",
                new IllegalStateException("listing failed", new java.net.ConnectException("Call From vm/127.0.0.1 to "
                        + "localhost:29228 failed on connection exception: java.net.ConnectException: Connection refused"))));
        StringWriter unreachable = new StringWriter();
        storage.printStackTrace(new PrintWriter(unreachable, true));
        assertThat(unreachable.toString()).startsWith("the warehouse's storage (HDFS) of this query server is not reachable "
                + "right now (it may be restarting): try again in a moment (error id ")
                .doesNotContain("29228").doesNotContain("Exception").doesNotContain("\tat ");
    }
}
