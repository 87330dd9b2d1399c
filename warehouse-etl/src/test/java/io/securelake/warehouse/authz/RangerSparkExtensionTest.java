package io.securelake.warehouse.authz;

import static io.securelake.warehouse.authz.AuthzSpark.ETL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.audit.AuditVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The extension in a real local Spark session with Hive support, the real dev environment and the real
 * dev hive policies: analysts (alice) read payments masked and filtered to 30 days, admins (carol)
 * administer without reading, auditors (dave) read only audit_dev, mallory nothing.
 */
class RangerSparkExtensionTest {
    private static final String PAYMENTS = "payments_dev.fact_payment";
    private static final String ANN_HASH = sha256("Ann Smith");
    private static final String BOB_HASH = sha256("Bob Jones");
    private static final Set<String> RAW_SECRETS = Set.of("4111111111111111", "5500-0000-0000-0004", "ACC-0001234",
            "Ann Smith", "Bob Jones", "ann@example.com", "bob@example.com", "+44 20 7946 0001", "Old Customer",
            "xxxxxxxxxxxx0002", "99.99");
    private static AuthzSpark s;

    @BeforeAll
    static void start() {
        s = AuthzSpark.start(AuthzSpark.policiesDir());
        s.createPayments();
        long now = System.currentTimeMillis();
        // A Hive SerDe (text) table: scanned as a HiveTableRelation, unlike the Parquet tables.
        s.sql(ETL, "CREATE DATABASE IF NOT EXISTS customer_preferences_dev");
        s.sql(ETL, "CREATE TABLE customer_preferences_dev.preferences (customer_id STRING, event_time BIGINT,"
                + " email STRING, phone STRING, channel STRING) STORED AS TEXTFILE");
        s.sql(ETL, "INSERT INTO customer_preferences_dev.preferences VALUES"
                + " ('CUST-000042', " + (now - AuthzSpark.DAY_MS) + ", 'ann@example.com', '+44 1', 'email'),"
                + " ('CUST-000043', " + (now - 90 * AuthzSpark.DAY_MS) + ", 'old@example.com', '+44 2', 'sms')");
        s.sql(ETL, "CREATE VIEW payments_dev.v_payments AS SELECT event_id, card_number, customer_name, amount FROM " + PAYMENTS);
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
    }

    // --- reads by an analyst: masked and filtered ------------------------------------------------------

    @Test
    void analystSeesMaskedColumnsAndOnlyRecentRows() {
        List<Row> rows = s.sql("alice", "SELECT event_id, card_number, account_id, customer_name, email, phone, amount, currency"
                + " FROM " + PAYMENTS + " ORDER BY event_id");
        assertThat(rows).extracting(Row::toString).containsExactly(
                "[e1,xxxxxxxxxxxx1111,xxx-xxx1234," + ANN_HASH + ",null,null,10.50,EUR]",
                "[e2,xxxx-xxxx-xxxx-0004,xxx-xxx9876," + BOB_HASH + ",null,null,20.00,USD]");
    }

    @Test
    void privilegedEtlPrincipalSeesRawData() {
        List<Row> rows = s.sql(ETL, "SELECT event_id, card_number, customer_name FROM " + PAYMENTS + " ORDER BY event_id");
        assertThat(rows).extracting(Row::toString).containsExactly(
                "[e1,4111111111111111,Ann Smith]", "[e2,5500-0000-0000-0004,Bob Jones]", "[e3,4000000000000002,Old Customer]");
    }

    @Test
    void masksAndRowFilterHoldThroughEveryQueryShape() {
        Map<String, String> queries = Map.of(
                "star", "SELECT * FROM " + PAYMENTS,
                "view", "SELECT * FROM payments_dev.v_payments",
                "cte", "WITH p AS (SELECT * FROM " + PAYMENTS + ") SELECT a.card_number, b.customer_name, b.email"
                        + " FROM p a JOIN p b ON a.event_id = b.event_id",
                "subquery", "SELECT card_number, customer_name FROM (SELECT * FROM " + PAYMENTS + ") x"
                        + " WHERE event_id IN (SELECT event_id FROM " + PAYMENTS + ")",
                "self-join", "SELECT a.card_number, b.account_id, b.phone FROM " + PAYMENTS + " a JOIN " + PAYMENTS + " b"
                        + " ON a.event_id = b.event_id",
                "aggregate", "SELECT currency, count(*), max(card_number), min(customer_name), collect_list(email)"
                        + " FROM " + PAYMENTS + " GROUP BY currency",
                "scalar subquery", "SELECT (SELECT max(card_number) FROM " + PAYMENTS + ") AS c",
                "union", "SELECT card_number FROM " + PAYMENTS + " UNION ALL SELECT card_number FROM payments_dev.v_payments",
                "window", "SELECT event_id, first_value(card_number) OVER (PARTITION BY currency ORDER BY event_id) FROM " + PAYMENTS,
                "exists", "SELECT card_number FROM " + PAYMENTS + " p WHERE EXISTS (SELECT 1 FROM " + PAYMENTS
                        + " q WHERE q.card_number = p.card_number)");
        queries.forEach((shape, sql) -> {
            List<Row> rows = s.sql("alice", sql);
            assertThat(rows).as(shape).isNotEmpty();
            String all = rows.toString();
            for (String secret : RAW_SECRETS) {
                assertThat(all).as(shape + " leaks " + secret).doesNotContain(secret);
            }
            assertThat(all).as(shape).containsAnyOf("xxxxxxxxxxxx1111", "xxxx-xxxx-xxxx-0004", "xxx-xxx", ANN_HASH);
        });
        assertThat(s.sql("alice", "SELECT count(*) FROM " + PAYMENTS).get(0).getLong(0)).isEqualTo(2);
        assertThat(s.sql("alice", "SELECT count(*) FROM payments_dev.v_payments").get(0).getLong(0)).isEqualTo(2);
    }

    @Test
    void predicatesOnMaskedColumnsSeeOnlyMaskedValues() {
        assertThat(s.sql("alice", "SELECT event_id FROM " + PAYMENTS + " WHERE card_number = '4111111111111111'")).isEmpty();
        assertThat(s.sql("alice", "SELECT event_id FROM " + PAYMENTS + " WHERE card_number LIKE '4%'")).isEmpty();
        assertThat(s.sql("alice", "SELECT event_id FROM " + PAYMENTS + " WHERE customer_name = 'Ann Smith'")).isEmpty();
        assertThat(s.sql("alice", "SELECT event_id FROM " + PAYMENTS + " WHERE event_id = 'e3'")).isEmpty();
    }

    @Test
    void temporaryViewsAndCachedQueriesStayMasked() {
        s.sql("alice", "CREATE OR REPLACE TEMPORARY VIEW my_payments AS SELECT * FROM " + PAYMENTS);
        s.sql("alice", "CACHE TABLE my_cache AS SELECT event_id, card_number, customer_name FROM " + PAYMENTS);
        String rows = s.sql("alice", "SELECT t.card_number, c.customer_name FROM my_payments t JOIN my_cache c"
                + " ON t.event_id = c.event_id").toString();
        assertThat(rows).contains("xxxxxxxxxxxx1111", ANN_HASH).doesNotContain("4111111111111111", "Ann Smith");
        // The ETL principal's query of the same table is not served alice's masked cache.
        assertThat(s.sql(ETL, "SELECT card_number FROM " + PAYMENTS + " WHERE event_id = 'e1'").toString())
                .contains("4111111111111111");
    }

    @Test
    void aStoredPlanOfAnotherUserIsMaskedAndCheckedForTheReader() throws Exception {
        // A DataFrame global temporary view keeps the analysed plan of its creator (here unmasked).
        // An in-process job's own DataFrame (a person may not create global temporary views).
        UserGroupInformation.createRemoteUser(ETL).doAs((PrivilegedExceptionAction<Void>) () -> {
            s.spark.table(PAYMENTS).createOrReplaceGlobalTempView("etl_payments");
            return null;
        });
        assertThat(s.sql("alice", "SELECT event_id, card_number FROM global_temp.etl_payments ORDER BY event_id"))
                .extracting(Row::toString).containsExactly("[e1,xxxxxxxxxxxx1111]", "[e2,xxxx-xxxx-xxxx-0004]");
        assertThatThrownBy(() -> s.sql("mallory", "SELECT event_id FROM global_temp.etl_payments"))
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment/event_id]");
    }

    @Test
    void hiveSerdeTableIsMaskedAndFilteredToo() {
        List<Row> rows = s.sql("alice", "SELECT customer_id, email, phone, channel FROM customer_preferences_dev.preferences");
        assertThat(rows).extracting(Row::toString).containsExactly("[xxxx-xx0042,null,null,email]");
    }

    @Test
    void aTableTheRowFilterCannotApplyToIsRefusedNotServedUnfiltered() {
        s.sql(ETL, "CREATE TABLE IF NOT EXISTS payments_dev.no_event_time (id STRING) USING parquet");
        assertThatThrownBy(() -> s.sql("alice", "SELECT * FROM payments_dev.no_event_time"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("Permission denied: user [alice] cannot be given [select] on [payments_dev/no_event_time]:"
                        + " the row filter that applies to it does not resolve against the table (see the server log)");
    }

    @Test
    void runningAsTheProcessUserThroughDoAsIsEnforcedToo() throws Exception {
        // ETL jobs have no Thrift session: the user is the process's Hadoop user.
        List<Row> rows = UserGroupInformation.createRemoteUser("alice").doAs(
                (PrivilegedExceptionAction<List<Row>>) () -> s.spark.sql("SELECT card_number FROM " + PAYMENTS
                        + " ORDER BY event_id").collectAsList());
        assertThat(rows).extracting(Row::toString).containsExactly("[xxxxxxxxxxxx1111]", "[xxxx-xxxx-xxxx-0004]");
        assertThatThrownBy(() -> UserGroupInformation.createRemoteUser("mallory").doAs(
                (PrivilegedExceptionAction<List<Row>>) () -> s.spark.sql("SELECT event_id FROM " + PAYMENTS).collectAsList()))
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment/event_id]");
    }

    // --- refusals ------------------------------------------------------------------------------------

    @Test
    void malloryIsRefusedWithAClearMessageThatNamesNoPolicy() {
        assertThatThrownBy(() -> s.sql("mallory", "SELECT card_number FROM " + PAYMENTS))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment/card_number]");
        assertThatThrownBy(() -> s.sql("mallory", "SELECT count(*) FROM " + PAYMENTS))
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment]");
        for (String sql : List.of("SELECT * FROM payments_dev.v_payments", "SELECT 1 WHERE EXISTS (SELECT 1 FROM " + PAYMENTS + ")",
                "WITH c AS (SELECT amount FROM " + PAYMENTS + ") SELECT sum(amount) FROM c",
                "SELECT * FROM customer_preferences_dev.preferences",
                "CACHE TABLE m AS SELECT * FROM " + PAYMENTS, "CREATE TEMPORARY VIEW m AS SELECT * FROM " + PAYMENTS)) {
            assertThatThrownBy(() -> s.sql("mallory", sql)).as(sql)
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageStartingWith("Permission denied: user [mallory] does not have [select] privilege on [")
                    .hasMessageNotContaining("analysts").hasMessageNotContaining("policy");
        }
        assertThatThrownBy(() -> s.sql("mallory", "EXPLAIN SELECT * FROM " + PAYMENTS))
                .hasMessageStartingWith("Permission denied: user [mallory] may not use [EXPLAIN]");
    }

    @Test
    void adminMayAlterAndDropButNotRead() {
        s.sql(ETL, "CREATE TABLE payments_dev.scratch_admin (id STRING, event_time BIGINT) USING parquet");
        assertThatThrownBy(() -> s.sql("carol", "SELECT id FROM payments_dev.scratch_admin"))
                .hasMessage("Permission denied: user [carol] does not have [select] privilege on [payments_dev/scratch_admin/id]");
        assertThatThrownBy(() -> s.sql("carol", "SELECT * FROM " + PAYMENTS))
                .hasMessageStartingWith("Permission denied: user [carol] does not have [select] privilege on [payments_dev/fact_payment/");
        s.sql("carol", "ALTER TABLE payments_dev.scratch_admin SET TBLPROPERTIES ('steward' = 'carol')");
        s.sql("carol", "ALTER TABLE payments_dev.scratch_admin ADD COLUMNS (note STRING)");
        s.sql("carol", "ANALYZE TABLE payments_dev.scratch_admin COMPUTE STATISTICS");
        s.sql("carol", "ALTER TABLE payments_dev.scratch_admin RENAME TO payments_dev.scratch_admin2");
        assertThatThrownBy(() -> s.sql("carol", "TRUNCATE TABLE payments_dev.scratch_admin2"))
                .hasMessage("Permission denied: user [carol] does not have [update] privilege on [payments_dev/scratch_admin2]");
        s.sql("carol", "DROP TABLE payments_dev.scratch_admin2");
        assertThat(s.sql(ETL, "SHOW TABLES IN payments_dev LIKE 'scratch_admin*'")).isEmpty();
        // Administering one database grants nothing on another.
        assertThatThrownBy(() -> s.sql("carol", "CREATE DATABASE audit_dev"))
                .hasMessage("Permission denied: user [carol] does not have [create] privilege on [audit_dev]");
    }

    @Test
    void etlRegistersExternalTablesThroughTheSameChecks() {
        // The statement shapes the ETL job sends through the query server (TableRegistrar).
        String db = s.dir.resolve("warehouse").resolve("curated_payments").toUri().toString();
        s.sql(ETL, "CREATE DATABASE IF NOT EXISTS `payments_dev` LOCATION '" + db + "'");
        s.sql(ETL, "CREATE TABLE IF NOT EXISTS `payments_dev`.`registered` (event_id STRING, event_time BIGINT, hour STRING)"
                + " USING parquet PARTITIONED BY (hour) LOCATION '" + db + "/registered'");
        s.sql(ETL, "ALTER TABLE `payments_dev`.`registered` RECOVER PARTITIONS");
        s.sql(ETL, "REFRESH TABLE `payments_dev`.`registered`");
        s.sql("alice", "REFRESH TABLE payments_dev.registered");
        assertThatThrownBy(() -> s.sql("mallory", "REFRESH TABLE payments_dev.registered"))
                .hasMessage("Permission denied: user [mallory] does not have [any] privilege on [payments_dev/registered]");
        assertThatThrownBy(() -> s.sql("alice", "ALTER TABLE payments_dev.registered RECOVER PARTITIONS"))
                .hasMessage("Permission denied: user [alice] does not have [alter] privilege on [payments_dev/registered]");
    }

    @Test
    void auditorReadsNothingButTheAuditDatabase() {
        assertThatThrownBy(() -> s.sql("dave", "SELECT event_id FROM " + PAYMENTS))
                .hasMessage("Permission denied: user [dave] does not have [select] privilege on [payments_dev/fact_payment/event_id]");
        assertThatThrownBy(() -> s.sql("dave", "SELECT channel FROM customer_preferences_dev.preferences"))
                .hasMessage("Permission denied: user [dave] does not have [select] privilege on [customer_preferences_dev/preferences/channel]");
    }

    @Test
    void analystMayNotWrite() {
        assertThatThrownBy(() -> s.sql("alice", "INSERT INTO " + PAYMENTS + " VALUES ('e9', 1, 'c', 'a', 'n', 'e', 'p', 1.00, 'EUR', 'recent')"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("Permission denied: user [alice] does not have [update] privilege on [payments_dev/fact_payment]");
        assertThatThrownBy(() -> s.sql("alice", "INSERT OVERWRITE TABLE customer_preferences_dev.preferences"
                + " SELECT * FROM customer_preferences_dev.preferences"))
                .hasMessage("Permission denied: user [alice] does not have [update] privilege on [customer_preferences_dev/preferences]");
        assertThatThrownBy(() -> s.sql("alice", "CREATE TABLE payments_dev.mine AS SELECT * FROM " + PAYMENTS))
                .hasMessage("Permission denied: user [alice] does not have [create] privilege on [payments_dev/mine]");
        assertThatThrownBy(() -> s.sql("alice", "CREATE VIEW payments_dev.my_view AS SELECT event_id FROM " + PAYMENTS))
                .hasMessage("Permission denied: user [alice] does not have [create] privilege on [payments_dev/my_view]");
        assertThatThrownBy(() -> s.sql("alice", "DROP TABLE " + PAYMENTS))
                .hasMessage("Permission denied: user [alice] does not have [drop] privilege on [payments_dev/fact_payment]");
        assertThatThrownBy(() -> s.sql("alice", "ALTER TABLE " + PAYMENTS + " SET TBLPROPERTIES ('x' = 'y')"))
                .hasMessage("Permission denied: user [alice] does not have [alter] privilege on [payments_dev/fact_payment]");
        assertThatThrownBy(() -> s.sql("alice", "CREATE DATABASE alice_db"))
                .hasMessage("Permission denied: user [alice] does not have [create] privilege on [alice_db]");
        assertThat(s.sql(ETL, "SELECT count(*) FROM " + PAYMENTS).get(0).getLong(0)).isEqualTo(3);
    }

    @Test
    void showListsOnlyWhatTheUserMaySee() {
        assertThat(names(s.sql("alice", "SHOW DATABASES"), 0)).contains("payments_dev", "customer_preferences_dev")
                .doesNotContain("default");
        assertThat(names(s.sql("carol", "SHOW DATABASES"), 0)).contains("payments_dev");
        assertThat(s.sql("mallory", "SHOW DATABASES")).isEmpty();
        assertThat(s.sql("dave", "SHOW DATABASES")).isEmpty();

        assertThat(names(s.sql("alice", "SHOW TABLES IN payments_dev"), 1)).contains("fact_payment", "v_payments");
        assertThat(persistent(s.sql("alice", "SHOW VIEWS IN payments_dev"))).containsExactly("v_payments");
        // (Temporary views of this class's single session are listed to every user of it.)
        assertThat(persistent(s.sql("mallory", "SHOW TABLES IN payments_dev"))).isEmpty();
        assertThat(persistent(s.sql("mallory", "SHOW VIEWS IN payments_dev"))).isEmpty();
        // Its storage locations and statistics describe rows and values hidden from people.
        assertThatThrownBy(() -> s.sql("alice", "SHOW TABLE EXTENDED IN payments_dev LIKE 'fact*'"))
                .hasMessage("Permission denied: user [alice] may not use [SHOW TABLE EXTENDED]: it shows storage locations"
                        + " and statistics; use SHOW TABLES and DESCRIBE");
        // A temporary view is the session's own and stays listed.
        s.sql("mallory", "CREATE OR REPLACE TEMPORARY VIEW mallory_numbers AS SELECT 1 AS n");
        List<Row> listed = s.sql("mallory", "SHOW TABLES IN payments_dev");
        assertThat(names(listed, 1)).contains("mallory_numbers");
        assertThat(persistent(listed)).isEmpty();
    }

    @Test
    void describeNeedsSelect() {
        assertThatThrownBy(() -> s.sql("mallory", "DESCRIBE " + PAYMENTS))
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment]");
        assertThatThrownBy(() -> s.sql("mallory", "SHOW CREATE TABLE " + PAYMENTS))
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment]");
        assertThatThrownBy(() -> s.sql("mallory", "SHOW COLUMNS IN " + PAYMENTS))
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment]");
        assertThat(names(s.sql("alice", "DESCRIBE " + PAYMENTS), 0)).contains("card_number", "event_time");
        // Column statistics are computed over unmasked values of every row.
        assertThatThrownBy(() -> s.sql("alice", "DESCRIBE EXTENDED " + PAYMENTS + " card_number"))
                .hasMessageContaining("may not see the statistics of [payments_dev/fact_payment/card_number]");
    }

    @Test
    void useNeedsSomePrivilegeOnTheDatabase() {
        try {
            s.sql("alice", "USE payments_dev");
            s.sql("carol", "USE payments_dev");
            assertThatThrownBy(() -> s.sql("mallory", "USE payments_dev"))
                    .hasMessage("Permission denied: user [mallory] does not have [any] privilege on [payments_dev]");
            s.sql("mallory", "USE default");
        } finally {
            s.sql("alice", "USE default"); // one session for the whole class
        }
    }

    @Test
    void codeLoadingPathsAndProtectedSettingsAreRefused() {
        assertThatThrownBy(() -> s.sql("alice", "CREATE TEMPORARY FUNCTION mask_hash AS 'org.apache.hadoop.hive.ql.udf.UDFMd5'"))
                .hasMessage("Permission denied: user [alice] may not use [CREATE FUNCTION]: loading code or files into the"
                        + " query server is never allowed (securelake ships no user-defined functions)");
        assertThatThrownBy(() -> s.sql(ETL, "ADD JAR /tmp/anything.jar"))
                .hasMessage("Permission denied: user [svc-etl-dev] may not use [ADD JAR]: loading code or files into the"
                        + " query server is never allowed (securelake ships no user-defined functions)");
        assertThatThrownBy(() -> s.sql("alice", "SET spark.securelake.policies.dir=/tmp"))
                .hasMessageStartingWith("Permission denied: user [alice] may not change the setting [spark.securelake.policies.dir]");
        // Reading the table's files by path would bypass its policies: the server reads them, not alice.
        String location = s.dir.resolve("warehouse").resolve("payments_dev.db").resolve("fact_payment").toUri().toString();
        assertThatThrownBy(() -> s.sql("alice", "SELECT * FROM parquet.`" + location + "`"))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageStartingWith("Permission denied: user [alice] does not have [read] privilege on [file:");
        assertThatThrownBy(() -> s.sql("alice", "INSERT OVERWRITE DIRECTORY '" + s.dir.resolve("out").toUri()
                + "' USING parquet SELECT event_id FROM " + PAYMENTS))
                .hasMessageStartingWith("Permission denied: user [alice] does not have [write] privilege on [file:");
    }

    // --- fail closed, audit ----------------------------------------------------------------------------

    @Test
    void withoutConfigurationEverythingIsRefused() {
        assertThatThrownBy(() -> AuthzSettings.from(new SparkConf(false)))
                .hasMessage("the Spark configuration lacks spark.securelake.env, spark.securelake.envs.dir,"
                        + " spark.securelake.policies.dir, spark.securelake.audit.dir");
        AuthzRuntime broken = AuthzRuntime.failed("securelake authorization is not configured; every statement is refused");
        LogicalPlan trivial = s.spark.sql("SELECT 1").queryExecution().analyzed();
        assertThatThrownBy(() -> new AccessCheckRule(s.spark, () -> broken).apply(trivial))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessage("Permission denied: securelake authorization is not configured; every statement is refused");
    }

    @Test
    void everyDecisionIsAuditedWithUserResourceActionAndOneRequestIdPerStatement() throws Exception {
        Instant since = Instant.now();
        s.sql("alice", "SELECT event_id, card_number FROM " + PAYMENTS);
        assertThatThrownBy(() -> s.sql("mallory", "SELECT event_id FROM " + PAYMENTS)).isInstanceOf(AccessDeniedException.class)
                .hasMessage("Permission denied: user [mallory] does not have [select] privilege on [payments_dev/fact_payment/event_id]");
        Path trail = s.auditRoot.resolve("hive");
        List<AuditRecord> alice = awaitRecords(trail, AuditQuery.all().withUser("alice").withSince(since), 2);
        assertThat(alice).allSatisfy(r -> {
            assertThat(r.result()).isEqualTo(AuditRecord.Result.ALLOWED);
            assertThat(r.action()).isEqualTo("select");
            assertThat(r.stage()).isEqualTo("hive");
            assertThat(r.service()).isEqualTo("dev_hive");
            assertThat(r.groups()).containsExactly("analysts");
        });
        assertThat(alice).extracting(AuditRecord::resource).containsExactlyInAnyOrder(
                "database=payments_dev;table=fact_payment;column=event_id",
                "database=payments_dev;table=fact_payment;column=card_number");
        assertThat(alice.stream().map(AuditRecord::requestId).distinct().toList()).hasSize(1)
                .allSatisfy(id -> assertThat(id).isNotBlank());
        List<AuditRecord> mallory = awaitRecords(trail, AuditQuery.all().withUser("mallory").withSince(since), 1);
        assertThat(mallory).singleElement().satisfies(r -> {
            assertThat(r.result()).isEqualTo(AuditRecord.Result.DENIED);
            assertThat(r.resource()).isEqualTo("database=payments_dev;table=fact_payment;column=event_id");
            assertThat(r.reason()).contains("denied by default");
        });
        // SHOW lists are decided (and audited) too, as "any" access.
        s.sql("mallory", "SHOW DATABASES");
        assertThat(awaitRecords(trail, AuditQuery.all().withUser("mallory").withResource("database=payments_dev")
                .withSince(since), 1)).extracting(AuditRecord::action).contains("_any");
        assertThat(AuditVerifier.verify(trail).intact()).isTrue();
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private static List<AuditRecord> awaitRecords(Path trail, AuditQuery q, int atLeast) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        List<AuditRecord> found = List.of();
        while (Instant.now().isBefore(deadline)) {
            found = AuditSearch.in(trail).find(q);
            if (found.size() >= atLeast) {
                Thread.sleep(300); // let a batch in flight land, so exact counts are stable
                return AuditSearch.in(trail).find(q);
            }
            Thread.sleep(100);
        }
        return found;
    }

    /** Names of the non-temporary entries of a SHOW TABLES/VIEWS result. */
    private static List<String> persistent(List<Row> rows) {
        return rows.stream().filter(r -> !r.getBoolean(2)).map(r -> r.getString(1)).collect(Collectors.toList());
    }

    private static List<String> names(List<Row> rows, int column) {
        return rows.stream().map(r -> r.getString(column)).collect(Collectors.toList());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
