package io.securelake.audit;

import static io.securelake.audit.AuditRecord.Result.ALLOWED;
import static io.securelake.audit.AuditRecord.Result.DENIED;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written rendering and chaining must produce exactly the bytes the Jackson-based writer did. */
class CanonicalJsonTest {

    /** Strings that exercise every escaping and encoding branch. */
    static final List<String> HOSTILE = List.of(
            "", "plain", "topic=dev.raw.payments", "quote\"inside", "back\\slash", "slash/ok", "tab\there",
            "new\nline", "cr\rlf\n", "\b\f", "nul\u0000byte", "\u0001\u001f\u007f", "del\u007f",
            "caf\u00e9 na\u00efve \u00fc\u00df", "\u00ff\u0100\u07ff\u0800", "\u6570\u636e\u6e56 \u5ba1\u8ba1", "emoji \ud83d\udd12\ud83d\udc4d",
            "line sep \u2028 para \u2029", "bom \ufeff end \uffff", "lone high \ud800", "\udc00 lone low",
            "high then letter \ud83dX", "reversed \udd12\ud83d", "</script>", "{\"json\":[1,2]}", "a\u0085b");

    static AuditRecord record(Instant time, String s, List<String> groups, String client, String policy, AuditRecord.Result result) {
        return new AuditRecord(time, "dev", "kafka", "dev_" + s, "user-" + s, groups, client, "topic=" + s, "publish",
                result, policy, "reason: " + s, "req " + s);
    }

    @Test
    void typicalAndHostileRecordsRenderAsJacksonDid() throws Exception {
        List<AuditRecord> records = new ArrayList<>();
        records.add(Records.record(1, "alice", ALLOWED));
        records.add(Records.record(2, "mallory", DENIED)); // null policy
        records.add(new AuditRecord(Instant.parse("2026-11-25T10:00:00Z"), "dev", "hdfs", "dev_hdfs", "dave",
                List.of(), null, "path=/audit", "read", DENIED, null, null, null)); // empty groups, nulls, defaults
        for (String s : HOSTILE) {
            records.add(record(Instant.parse("2026-11-25T10:00:00.123456789Z"), s, List.of(s, "g2", s + s),
                    s, s.isEmpty() ? null : s, ALLOWED));
            records.add(new AuditRecord(Instant.EPOCH, s, s, s, s, List.of(s), s, s, s, DENIED, s, s, s));
        }
        for (AuditRecord r : records) {
            assertSameBytes(r);
        }
    }

    @Test
    void summariesRenderAsJacksonDoesAndSingleDecisionsCarryNoSummaryField() throws Exception {
        AuditRecord single = Records.record(1, "alice", ALLOWED);
        AuditRecord summary = single.summarizing(1234, Instant.parse("2026-11-25T10:00:00.5Z"), Instant.parse("2026-11-25T10:00:01Z"));
        assertSameBytes(summary);
        assertThat(new String(CanonicalJson.toBytes(single), StandardCharsets.UTF_8)).doesNotContain("summary");
        assertThat(new String(CanonicalJson.toBytes(summary), StandardCharsets.UTF_8))
                .endsWith(",\"requestId\":\"\",\"summary\":{\"count\":1234,\"last\":\"2026-11-25T10:00:01Z\"}}");
        assertThat(summary.decisions()).isEqualTo(1234);
        assertThat(single.decisions()).isEqualTo(1);
    }

    @Test
    void timesRenderAsInstantToString() throws Exception {
        List<Instant> times = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("2026-11-25T00:00:00Z"),
                Instant.parse("2026-11-25T10:00:00.100Z"), Instant.parse("2026-11-25T10:00:00.000100Z"),
                Instant.parse("2026-11-25T10:00:00.000000100Z"), Instant.parse("2026-11-25T10:00:00.120Z"),
                Instant.parse("2024-02-29T23:59:59.999Z"), Instant.parse("1900-03-01T12:34:56.000001Z")));
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            long sec = switch (i % 4) {
                case 0 -> rnd.nextLong() % 400_000_000_000L;                              // +-12,000 years
                case 1 -> 1_700_000_000L + rnd.nextInt(400_000_000);                      // recent decades
                case 2 -> rnd.nextLong() % 31_556_889_864_403_199L;                       // the whole Instant range
                default -> Math.floorDiv(rnd.nextLong() % 400_000_000_000L, 86_400) * 86_400; // midnights
            };
            int nano = switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> rnd.nextInt(1000) * 1_000_000;
                case 2 -> rnd.nextInt(1_000_000) * 1_000;
                default -> rnd.nextInt(1_000_000_000);
            };
            times.add(Instant.ofEpochSecond(sec, nano));
        }
        CanonicalJson renderer = new CanonicalJson(); // one instance: exercises the cached date across days
        ByteBuf out = new ByteBuf(64);
        for (Instant t : times) {
            out.reset();
            renderer.instant(t, out);
            assertThat(new String(out.buf, 0, out.len, StandardCharsets.US_ASCII)).as("%s", t).isEqualTo(t.toString());
        }
        assertSameBytes(record(Instant.MAX, "x", List.of(), null, null, ALLOWED));
        assertSameBytes(record(Instant.MIN, "x", List.of(), null, null, ALLOWED));
    }

    @Test
    void randomRecordsRenderAsJacksonDid() throws Exception {
        Random rnd = new Random(7);
        char[] pool = String.join("", HOSTILE).toCharArray();
        CanonicalJson renderer = new CanonicalJson();
        ByteBuf out = new ByteBuf(16);
        for (int i = 0; i < 20_000; i++) {
            List<String> groups = new ArrayList<>();
            for (int g = rnd.nextInt(4); g > 0; g--) {
                groups.add(randomString(rnd, pool));
            }
            AuditRecord r = new AuditRecord(Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(100_000_000), rnd.nextInt(1_000_000_000)),
                    randomString(rnd, pool), randomString(rnd, pool), randomString(rnd, pool), randomString(rnd, pool), groups,
                    rnd.nextBoolean() ? null : randomString(rnd, pool), randomString(rnd, pool), randomString(rnd, pool),
                    rnd.nextBoolean() ? ALLOWED : DENIED, rnd.nextBoolean() ? null : randomString(rnd, pool),
                    rnd.nextInt(5) == 0 ? null : randomString(rnd, pool), rnd.nextInt(5) == 0 ? null : randomString(rnd, pool),
                    rnd.nextInt(4) == 0 ? new AuditRecord.Summary(1 + (rnd.nextLong() & Long.MAX_VALUE) % 10_000_000_000L,
                            Instant.ofEpochSecond(1_700_000_000L + rnd.nextInt(100_000_000), rnd.nextInt(1_000_000_000))) : null);
            out.reset();
            renderer.render(r, out);
            byte[] expected = LegacyLines.canonical(r).getBytes(StandardCharsets.UTF_8);
            assertThat(Arrays.copyOf(out.buf, out.len)).as("record %s", r).isEqualTo(expected);
        }
    }

    @Test
    void chainedLinesAreByteIdenticalToTheJacksonWriter() throws Exception {
        Random rnd = new Random(3);
        char[] pool = String.join("", HOSTILE).toCharArray();
        for (String start : List.of(HashChain.GENESIS, "ab".repeat(32), "not-a-hash \"odd\" \u00e9")) {
            HashChain.Writer chain = new HashChain.Writer(start, 41);
            String prev = start;
            long seq = 41;
            ByteBuf lines = new ByteBuf(16);
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 2_000; i++) {
                AuditRecord r = i % 3 == 0 ? Records.record(i, "alice", i % 2 == 0 ? ALLOWED : DENIED)
                        : record(Instant.ofEpochMilli(1_764_064_800_000L + i), randomString(rnd, pool),
                        List.of(randomString(rnd, pool)), null, randomString(rnd, pool), DENIED);
                byte[] canonical = CanonicalJson.toBytes(r);
                chain.append(canonical, 0, canonical.length, lines);
                LegacyLines.Line legacy = LegacyLines.line(prev, ++seq, r);
                expected.write(legacy.bytes());
                prev = legacy.hash();
                assertThat(chain.head()).isEqualTo(prev);
                assertThat(chain.seq()).isEqualTo(seq);
            }
            assertThat(Arrays.copyOf(lines.buf, lines.len)).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void verifierHashMatchesTheLegacyHash() throws Exception {
        String canonical = LegacyLines.canonical(Records.record(5, "\u00e9l\u00e8ve \ud83d\udd12", ALLOWED));
        assertThat(HashChain.hash(HashChain.GENESIS, 5, canonical)).isEqualTo(LegacyLines.hash(HashChain.GENESIS, 5, canonical));
        // The reused per-thread digest starts clean every time.
        assertThat(HashChain.hash("x", 1, "{}")).isEqualTo(LegacyLines.hash("x", 1, "{}"));
        assertThat(HashChain.hash("x", 1, "{}")).isEqualTo(LegacyLines.hash("x", 1, "{}"));
    }

    private static void assertSameBytes(AuditRecord r) throws Exception {
        byte[] expected = LegacyLines.canonical(r).getBytes(StandardCharsets.UTF_8);
        assertThat(CanonicalJson.toBytes(r)).as("record %s", r).isEqualTo(expected);
    }

    private static String randomString(Random rnd, char[] pool) {
        int n = rnd.nextInt(12);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(rnd.nextInt(3) == 0 ? (char) rnd.nextInt(0x10000) : pool[rnd.nextInt(pool.length)]);
        }
        return sb.toString();
    }
}
