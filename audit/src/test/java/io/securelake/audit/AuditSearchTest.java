package io.securelake.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void missingTrailIsAClearError() {
        assertThatThrownBy(() -> AuditSearch.in(dir.resolve("nope")).find(AuditQuery.all()))
                .hasMessageContaining("no audit trail at");
    }
}
