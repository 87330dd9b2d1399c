package io.securelake.warehouse.authz;

import static io.securelake.warehouse.authz.AuthzSpark.ETL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.files.DurableLocalFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a masked user can carry out of a query. The dev policies give analysts no create right anywhere,
 * so this class runs on a copy of the real dev hive policies plus one test-only policy
 * ({@code authz-sandbox-policy.json}: analysts own {@code sandbox_dev}). The copy also lets the test
 * change policies under a running session.
 */
class RangerSparkExtensionSandboxTest {
    private static final String PAYMENTS = "payments_dev.fact_payment";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path policiesRoot;
    private static Path policyFile;
    private static byte[] original;
    private static AuthzSpark s;

    @BeforeAll
    static void start() throws IOException {
        policiesRoot = Files.createTempDirectory("authz-policies");
        policyFile = policiesRoot.resolve("dev").resolve("dev_hive.json");
        Files.createDirectories(policyFile.getParent());
        ObjectNode file = (ObjectNode) JSON.readTree(AuthzSpark.policiesDir().resolve("dev").resolve("dev_hive.json").toFile());
        try (InputStream in = RangerSparkExtensionSandboxTest.class.getResourceAsStream("/authz-sandbox-policy.json")) {
            ((ArrayNode) file.get("policies")).add(JSON.readTree(in));
        }
        original = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(file);
        Files.write(policyFile, original);
        s = AuthzSpark.start(policiesRoot);
        s.createPayments();
        s.sql("alice", "CREATE DATABASE sandbox_dev");
    }

    @AfterAll
    static void stop() throws IOException {
        if (s != null) {
            s.close();
        }
        if (policyFile != null) {
            Files.deleteIfExists(policyFile);
            Files.deleteIfExists(policyFile.getParent());
            Files.deleteIfExists(policiesRoot);
        }
    }

    @Test
    void ctasByAMaskedUserStoresOnlyMaskedRecentRows() {
        s.sql("alice", "CREATE TABLE sandbox_dev.copy_hive AS SELECT * FROM " + PAYMENTS);
        s.sql("alice", "CREATE TABLE sandbox_dev.copy_parquet USING parquet AS"
                + " SELECT event_id, card_number, customer_name, email FROM " + PAYMENTS);
        String expectedHash = RangerSparkExtensionTest.sha256("Ann Smith");
        for (String table : List.of("sandbox_dev.copy_hive", "sandbox_dev.copy_parquet")) {
            // No policy masks or filters sandbox_dev: what alice reads back is what was stored.
            List<Row> rows = s.sql("alice", "SELECT event_id, card_number, customer_name, email FROM " + table + " ORDER BY event_id");
            assertThat(rows).as(table).extracting(Row::toString).containsExactly(
                    "[e1,xxxxxxxxxxxx1111," + expectedHash + ",null]",
                    "[e2,xxxx-xxxx-xxxx-0004," + RangerSparkExtensionTest.sha256("Bob Jones") + ",null]");
        }
        // The files themselves hold no clear value (read in-process, where the file system is the guard).
        List<Row> files = s.spark.read().parquet(s.dir.resolve("warehouse").resolve("sandbox_dev.db").resolve("copy_parquet")
                .toUri().toString()).collectAsList();
        assertThat(files).extracting(r -> r.getString(0)).containsExactlyInAnyOrder("e1", "e2");
        assertThat(files.toString()).contains("xxxxxxxxxxxx1111").doesNotContain("4111111111111111", "Ann Smith", "ann@example.com");
    }

    @Test
    void insertSelectAndDataFrameWritesByAMaskedUserAreMaskedToo() throws Exception {
        s.sql("alice", "CREATE TABLE sandbox_dev.appended (event_id STRING, card_number STRING) USING parquet");
        s.sql("alice", "INSERT INTO sandbox_dev.appended SELECT event_id, card_number FROM " + PAYMENTS);
        UserGroupInformation.createRemoteUser("alice").doAs((PrivilegedExceptionAction<Void>) () -> {
            s.spark.table(PAYMENTS).select("event_id", "account_id").write().saveAsTable("sandbox_dev.saved");
            return null;
        });
        assertThat(s.sql("alice", "SELECT * FROM sandbox_dev.appended ORDER BY event_id")).extracting(Row::toString)
                .containsExactly("[e1,xxxxxxxxxxxx1111]", "[e2,xxxx-xxxx-xxxx-0004]");
        assertThat(s.sql("alice", "SELECT * FROM sandbox_dev.saved ORDER BY event_id")).extracting(Row::toString)
                .containsExactly("[e1,xxx-xxx1234]", "[e2,xxx-xxx9876]");
        // The sandbox is alice's: the ETL principal has no right there, nor does she elsewhere.
        assertThatThrownBy(() -> s.sql(ETL, "SELECT * FROM sandbox_dev.appended"))
                .hasMessage("Permission denied: user [svc-etl-dev] does not have [select] privilege on [sandbox_dev/appended/event_id]");
        assertThatThrownBy(() -> s.sql("alice", "INSERT INTO " + PAYMENTS + " SELECT * FROM " + PAYMENTS))
                .hasMessage("Permission denied: user [alice] does not have [update] privilege on [payments_dev/fact_payment]");
    }

    @Test
    void aRevokedGrantIsRefusedOnTheNextStatementWithoutRestart() throws Exception {
        io.securelake.policies.api.PolicyDecider store = AuthzRuntime.of(s.spark.sparkContext()).store();
        assertThat(s.sql("alice", "SELECT count(*) FROM " + PAYMENTS).get(0).getLong(0)).isEqualTo(2);
        ObjectNode file = (ObjectNode) JSON.readTree(original);
        for (var p : file.get("policies")) {
            if (p.get("name").asText().equals("analysts-payments-select")) {
                ((ObjectNode) p).put("isEnabled", false);
            }
        }
        try {
            long before = store.policyVersion();
            writeAtomically(JSON.writeValueAsBytes(file));
            assertThat(store.awaitVersionAbove(before, Duration.ofSeconds(20))).isTrue();
            assertThatThrownBy(() -> s.sql("alice", "SELECT count(*) FROM " + PAYMENTS))
                    .hasMessage("Permission denied: user [alice] does not have [select] privilege on [payments_dev/fact_payment]");
        } finally {
            long before = store.policyVersion();
            writeAtomically(original);
            assertThat(store.awaitVersionAbove(before, Duration.ofSeconds(20))).isTrue();
        }
        assertThat(s.sql("alice", "SELECT count(*) FROM " + PAYMENTS).get(0).getLong(0)).isEqualTo(2);
    }

    /** As an operator's deployment replaces a policy file: the watching engine never reads half of it. */
    private static void writeAtomically(byte[] content) throws IOException {
        DurableLocalFiles.writeAtomically(policyFile, content);
    }
}
