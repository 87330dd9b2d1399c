package io.securelake.audit;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void linesAreByteIdenticalToThePreviousWriterAcrossDaysAndReopens() throws Exception {
        java.io.ByteArrayOutputStream day1 = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream day2 = new java.io.ByteArrayOutputStream();
        String prev = HashChain.GENESIS;
        long seq = 0;
        int n = 0;
        for (String day : List.of("2026-11-24", "2026-11-25", "2026-11-25")) {
            if (day.equals("2026-11-25") && seq > 0 && day2.size() == 0) {
                seq = 0; // a new day's file restarts seq and continues the hash
            }
            Clock clock = Clock.fixed(Instant.parse(day + "T12:00:00Z"), ZoneOffset.UTC);
            try (JsonLinesAuditSink sink = new JsonLinesAuditSink(dir, clock)) {
                for (int i = 0; i < 40; i++, n++) {
                    String s = CanonicalJsonTest.HOSTILE.get(n % CanonicalJsonTest.HOSTILE.size());
                    AuditRecord r = CanonicalJsonTest.record(Instant.parse(day + "T10:00:00Z").plusMillis(n), s,
                            List.of(s, "analysts"), n % 3 == 0 ? null : s, n % 2 == 0 ? null : s, n % 2 == 0 ? DENIED : ALLOWED);
                    if (i % 2 == 0) {
                        sink.write(r);
                    } else {
                        sink.writeBatch(List.of(CanonicalJson.toBytes(r))); // the pre-rendered path
                    }
                    LegacyLines.Line legacy = LegacyLines.line(prev, ++seq, r);
                    (day.equals("2026-11-24") ? day1 : day2).write(legacy.bytes());
                    prev = legacy.hash();
                    if (i % 7 == 0) {
                        sink.flush();
                    }
                }
            }
        }
        assertThat(Files.readAllBytes(dir.resolve("audit-2026-11-24.jsonl"))).isEqualTo(day1.toByteArray());
        assertThat(Files.readAllBytes(dir.resolve("audit-2026-11-25.jsonl"))).isEqualTo(day2.toByteArray());
        AuditVerifier.Verification v = AuditVerifier.verify(dir);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.lines()).isEqualTo(120);
        assertThat(v.headHash()).isEqualTo(prev);
    }

    /**
     * src/test/resources/legacy-trail holds two day files written by the Jackson-based writer this one
     * replaced (unicode, control characters, unpaired surrogates, nulls). They must still verify, and
     * the new writer must continue their chain exactly as the old one would have.
     */
    @Test
    void aTrailWrittenByThePreviousWriterVerifiesAndIsContinued() throws Exception {
        for (String name : List.of("audit-2026-11-24.jsonl", "audit-2026-11-25.jsonl")) {
            try (var in = getClass().getResourceAsStream("/legacy-trail/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
        AuditVerifier.Verification before = AuditVerifier.verify(dir);
        assertThat(before.intact()).as(before.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(before.lines()).isEqualTo(12);
        assertThat(AuditSearch.in(dir).find(AuditQuery.all())).hasSize(12)
                .anySatisfy(r -> assertThat(r.resource()).contains("\u6570\u636e"));

        byte[] old = Files.readAllBytes(dir.resolve("audit-2026-11-25.jsonl"));
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        expected.write(old);
        String prev = before.headHash();
        long seq = 6;
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T18:00:00Z"), ZoneOffset.UTC);
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(dir, clock)) {
            for (int i = 0; i < 5; i++) {
                AuditRecord r = Records.record(100 + i, "bob \u00e9", i % 2 == 0 ? ALLOWED : DENIED);
                sink.write(r);
                LegacyLines.Line legacy = LegacyLines.line(prev, ++seq, r);
                expected.write(legacy.bytes());
                prev = legacy.hash();
            }
        }
        assertThat(Files.readAllBytes(dir.resolve("audit-2026-11-25.jsonl"))).isEqualTo(expected.toByteArray());
        AuditVerifier.Verification after = AuditVerifier.verify(dir);
        assertThat(after.intact()).as(after.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(after.lines()).isEqualTo(17);
        assertThat(after.headHash()).isEqualTo(prev);
    }

    @Test
    void flushWritesSealedLinesFirstThenPendingOnes() {
        JsonLinesAuditSink.Segment sealed;
        JsonLinesAuditSink sink = new JsonLinesAuditSink(dir);
        try (sink) {
            sink.writeBatch(List.of(Records.record(0, "alice", ALLOWED), CanonicalJson.toBytes(Records.record(1, "bob", DENIED))));
            sealed = sink.seal(); // as the batching writer does; nobody has written it yet
            sink.write(Records.record(2, "carol", ALLOWED));
            sink.flush();
            assertThat(AuditSearch.in(dir).find(AuditQuery.all())).extracting(AuditRecord::requestId)
                    .containsExactly("req-0", "req-1", "req-2");
        }
        assertThat(sealed.state).isEqualTo(JsonLinesAuditSink.Segment.WRITTEN);
        sink.sync(sealed); // the retired file is still open for it, then closed
        AuditVerifier.Verification v = AuditVerifier.verify(dir);
        assertThat(v.intact()).as(v.problem().map(Object::toString).orElse("")).isTrue();
        assertThat(v.lines()).isEqualTo(3);
    }
}
