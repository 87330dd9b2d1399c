package io.securelake.audit;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSearchTest {
    @TempDir
    Path dir;

    @Test
    void filtersByUserResourceResultAndTime() {
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(dir)) {
            for (int i = 0; i < 10; i++) {
                sink.write(Records.record(i, i < 5 ? "alice" : "mallory", i % 2 == 0 ? ALLOWED : DENIED));
            }
            sink.write(new AuditRecord(Instant.parse("2026-11-25T11:00:00Z"), "dev", "hdfs", "dev_hdfs", "dave",
                    List.of("auditors"), null, "path=/audit/dev/2026", "read", ALLOWED, "3:auditors-read", "", ""));
        }
        AuditSearch search = AuditSearch.in(dir);
        assertThat(search.find(AuditQuery.all().withUser("mallory").withResult(DENIED))).hasSize(3);
        assertThat(search.find(AuditQuery.all().withResource("path=/audit/*"))).extracting(AuditRecord::user)
                .containsExactly("dave");
        assertThat(search.find(AuditQuery.all().withResource("raw.payments"))).hasSize(10);
        assertThat(search.find(AuditQuery.all().withSince(Instant.parse("2026-11-25T10:00:00.005Z")))).hasSize(6);
        assertThat(search.find(AuditQuery.all().withStage("hdfs").withLimit(1))).hasSize(1);

        List<AuditRecord> denied = search.find(AuditQuery.all().withResult(DENIED));
        String table = AuditSearch.table(denied);
        assertThat(table).startsWith("TIME").contains("mallory").contains("no policy grants publish").endsWith("5 records\n");
        assertThat(AuditSearch.json(denied)).contains("\"result\" : \"DENIED\"").contains("\"time\" : \"2026-11-25T10:00:00.001Z\"");
    }

    /** A failed login's user name is the requester's choice: it must not forge rows or reach the terminal raw. */
    @Test
    void hostileTextIsShownEscapedInTheTableAndTheJson() throws Exception {
        String hostile = "eve\n2026-11-25T10:00:00Z  kafka  carol  ALLOWED\r\u001b[32mgreen\u001b[0m\u0007\u007f"
                + "\u0085\u009b31m\u2028\u2029\u202eevil\\n";
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(dir)) {
            sink.write(new AuditRecord(Instant.parse("2026-11-25T10:00:00Z"), "dev", "kdc", "dev_kdc", hostile, List.of(),
                    "10.0.0.9", "principal=krbtgt/" + hostile, "authenticate", DENIED, null, "refused: " + hostile, ""));
        }
        List<AuditRecord> found = AuditSearch.in(dir).find(AuditQuery.all());
        assertThat(found).extracting(AuditRecord::user).containsExactly(hostile);

        String table = AuditSearch.table(found);
        assertThat(table.lines()).hasSize(3); // header, the one record, the count: no forged row
        assertThat(table.replace("\n", "").chars()).noneMatch(TerminalText::unsafe);
        assertThat(table).contains("eve\\n2026-11-25T10:00:00Z  kafka  carol  ALLOWED\\r\\x1b[32mg"); // cut at 60
        assertThat(TerminalText.escape(hostile)).isEqualTo("eve\\n2026-11-25T10:00:00Z  kafka  carol  ALLOWED\\r"
                + "\\x1b[32mgreen\\x1b[0m\\x07\\x7f\\x85\\x9b31m\\u2028\\u2029\\u202eevil\\\\n");

        String json = AuditSearch.json(found);
        // Pretty-printed JSON has its own line breaks; none of the hostile characters is written raw.
        assertThat(json.replace("\n", "").chars()).noneMatch(TerminalText::unsafe);
        assertThat(json).contains("\\u001B[32m").contains("\\u009b31m").contains("\\u2028");
        assertThat(AuditJson.MAPPER.readTree(json).get(0).get("user").asText()).isEqualTo(hostile);
    }

    @Test
    void escapingLeavesOrdinaryTextAlone() {
        assertThat(TerminalText.escape("alice@DEV.SECURELAKE.LOCAL — café 名前")).isEqualTo("alice@DEV.SECURELAKE.LOCAL — café 名前");
        assertThat(TerminalText.escape("a\tb\\c")).isEqualTo("a\\tb\\\\c");
    }

    @Test
    void missingTrailIsAClearError() {
        assertThatThrownBy(() -> AuditSearch.in(dir.resolve("nope")).find(AuditQuery.all()))
                .hasMessageContaining("no audit trail at");
    }
}
