package io.securelake.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

class JsonLinesAuditSinkTest {
    @TempDir
    Path dir;

    private void writeDays(int perDay, String... days) {
        for (String day : days) {
            Clock clock = Clock.fixed(Instant.parse(day + "T12:00:00Z"), ZoneOffset.UTC);
            try (JsonLinesAuditSink sink = new JsonLinesAuditSink(dir, clock)) {
                for (int i = 0; i < perDay; i++) {
                    sink.write(Records.record(i, i % 2 == 0 ? "alice" : "mallory", i % 2 == 0 ? ALLOWED : DENIED));
                }
            }
        }
    }

    @Test
    void writesOneChainedFilePerDayAndVerifiesAcrossFilesAndReopens() {
        writeDays(5, "2026-11-24", "2026-11-25");
        writeDays(3, "2026-11-25"); // re-opened: continues the chain of the existing file
        assertThat(dir.resolve("audit-2026-11-24.jsonl")).exists();
        AuditVerifier.Verification v = AuditVerifier.verify(dir);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.files()).isEqualTo(2);
        assertThat(v.lines()).isEqualTo(13);
    }

    @Test
    void editedLineIsReportedWithFileAndLine() throws Exception {
        writeDays(5, "2026-11-25");
        Path f = dir.resolve("audit-2026-11-25.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        lines.set(2, lines.get(2).replace("\"DENIED\"", "\"ALLOWED\"").replace("alice", "mallory"));
        lines.set(2, lines.get(2).replace("\"ALLOWED\"", "\"DENIED\""));
        Files.write(f, lines);
        AuditVerifier.Verification v = AuditVerifier.verify(dir);
        assertThat(v.problem()).hasValueSatisfying(p -> {
            assertThat(p.file()).isEqualTo(f);
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.kind()).isEqualTo(AuditVerifier.ProblemKind.TAMPERED);
        });
    }

    @Test
    void removedAndReorderedLinesAndMissingFilesAreReported() throws Exception {
        writeDays(4, "2026-11-23", "2026-11-24", "2026-11-25");
        Path f = dir.resolve("audit-2026-11-24.jsonl");
        List<String> original = Files.readAllLines(f);

        List<String> removed = new ArrayList<>(original);
        removed.remove(1);
        Files.write(f, removed);
        assertThat(AuditVerifier.verify(dir).problem()).hasValueSatisfying(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.kind()).isEqualTo(AuditVerifier.ProblemKind.OUT_OF_SEQUENCE);
        });

        List<String> swapped = new ArrayList<>(original);
        swapped.set(1, original.get(2));
        swapped.set(2, original.get(1));
        Files.write(f, swapped);
        assertThat(AuditVerifier.verify(dir).problem()).hasValueSatisfying(p -> assertThat(p.line()).isEqualTo(2));

        Files.write(f, original);
        assertThat(AuditVerifier.verify(dir).intact()).isTrue();
        Files.delete(f);
        assertThat(AuditVerifier.verify(dir).problem()).hasValueSatisfying(p -> {
            assertThat(p.file().getFileName()).hasToString("audit-2026-11-25.jsonl");
            assertThat(p.line()).isEqualTo(1);
            assertThat(p.kind()).isEqualTo(AuditVerifier.ProblemKind.BROKEN_CHAIN);
        });
    }

    @Test
    void tornTailFromACrashIsCutOnReopen() throws Exception {
        writeDays(3, "2026-11-25");
        Path f = dir.resolve("audit-2026-11-25.jsonl");
        Files.writeString(f, "{\"seq\":4,\"prev\":\"ab", java.nio.file.StandardOpenOption.APPEND);
        writeDays(2, "2026-11-25");
        AuditVerifier.Verification v = AuditVerifier.verify(dir);
        assertThat(v.intact()).isTrue();
        assertThat(v.lines()).isEqualTo(5);
    }

    @org.junit.jupiter.api.Test
    void oneChainHasOneWriterAndFirstFreeGivesTheNextItsOwn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        try (JsonLinesAuditSink first = JsonLinesAuditSink.firstFree(dir, "kafka");
             JsonLinesAuditSink second = JsonLinesAuditSink.firstFree(dir, "kafka");
             JsonLinesAuditSink intruder = new JsonLinesAuditSink(dir.resolve("kafka"))) {
            org.assertj.core.api.Assertions.assertThat(first.directory()).isEqualTo(dir.resolve("kafka"));
            org.assertj.core.api.Assertions.assertThat(second.directory()).isEqualTo(dir.resolve("kafka-2"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> intruder.write(Records.record(1, "alice", AuditRecord.Result.ALLOWED)))
                    .isInstanceOf(AuditSinkException.class).hasMessageContaining("already has a writer");
        }
    }
}
