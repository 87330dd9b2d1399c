package io.securelake.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Renders an {@link AuditRecord} straight to UTF-8 bytes, byte for byte what the trail has always held:
 * {@code AuditJson.MAPPER.writeValueAsString(AuditJson.MAPPER.valueToTree(record))} encoded as UTF-8
 * (the canonical form {@link HashChain} hashes and {@link AuditVerifier} recomputes from a parsed line).
 * That is Jackson's compact output: fields in {@link AuditRecord}'s property order, nulls written,
 * times as {@link Instant#toString()}, strings escaped as Jackson escapes them ({@code \" \\ \b \t \n \f \r},
 * other control characters as backslash-u00XX with upper-case hex, everything else raw) and an unpaired
 * surrogate encoded as {@code ?}, as {@link String#getBytes} does. {@code CanonicalJsonTest} compares it
 * with Jackson on random and hostile records.
 * <p>
 * One instance per thread: it keeps the last rendered date.
 */
final class CanonicalJson {
    private static final byte[] TIME = ascii("{\"time\":\"");
    private static final byte[] ENVIRONMENT = ascii("\",\"environment\":");
    private static final byte[] STAGE = ascii(",\"stage\":");
    private static final byte[] SERVICE = ascii(",\"service\":");
    private static final byte[] USER = ascii(",\"user\":");
    private static final byte[] GROUPS = ascii(",\"groups\":[");
    private static final byte[] CLIENT_ADDRESS = ascii("],\"clientAddress\":");
    private static final byte[] RESOURCE = ascii(",\"resource\":");
    private static final byte[] ACTION = ascii(",\"action\":");
    private static final byte[] RESULT_ALLOWED = ascii(",\"result\":\"ALLOWED\"");
    private static final byte[] RESULT_DENIED = ascii(",\"result\":\"DENIED\"");
    private static final byte[] POLICY = ascii(",\"policy\":");
    private static final byte[] REASON = ascii(",\"reason\":");
    private static final byte[] REQUEST_ID = ascii(",\"requestId\":");
    private static final byte[] SUMMARY_COUNT = ascii(",\"summary\":{\"count\":");
    private static final byte[] SUMMARY_LAST = ascii(",\"last\":\"");
    private static final byte[] NULL = ascii("null");
    private static final byte[] HEX = ascii("0123456789ABCDEF");

    /** Per ASCII character: 0 = written as is, otherwise the letter after the backslash, or 'u' for backslash-u00XX. */
    private static final byte[] ESCAPE = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPE[c] = 'u';
        }
        ESCAPE['"'] = '"';
        ESCAPE['\\'] = '\\';
        ESCAPE['\b'] = 'b';
        ESCAPE['\t'] = 't';
        ESCAPE['\f'] = 'f';
        ESCAPE['\n'] = 'n';
        ESCAPE['\r'] = 'r';
    }

    /** Years 0000..9999: {@link Instant#toString()} has four year digits and no sign. */
    private static final long MIN_FAST_SECOND = -62_167_219_200L; // 0000-01-01T00:00:00Z
    private static final long MAX_FAST_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

    private long cachedDay = Long.MIN_VALUE;
    private final byte[] cachedDate = new byte[11]; // "YYYY-MM-DDT"

    /** The canonical rendering as a new array (tests and the rare re-chain). */
    static byte[] toBytes(AuditRecord record) {
        ByteBuf out = new ByteBuf(512);
        new CanonicalJson().render(record, out);
        return out.toByteArray();
    }

    /** Appends the canonical JSON of {@code r} to {@code out}. */
    void render(AuditRecord r, ByteBuf out) {
        out.put(TIME);
        instant(r.time(), out);
        out.put(ENVIRONMENT);
        string(r.environment(), out);
        out.put(STAGE);
        string(r.stage(), out);
        out.put(SERVICE);
        string(r.service(), out);
        out.put(USER);
        string(r.user(), out);
        out.put(GROUPS);
        List<String> groups = r.groups();
        for (int i = 0, n = groups.size(); i < n; i++) {
            if (i > 0) {
                out.put((byte) ',');
            }
            string(groups.get(i), out);
        }
        out.put(CLIENT_ADDRESS);
        nullableString(r.clientAddress(), out);
        out.put(RESOURCE);
        string(r.resource(), out);
        out.put(ACTION);
        string(r.action(), out);
        out.put(r.result() == AuditRecord.Result.ALLOWED ? RESULT_ALLOWED : RESULT_DENIED);
        out.put(POLICY);
        nullableString(r.policy(), out);
        out.put(REASON);
        string(r.reason(), out);
        out.put(REQUEST_ID);
        string(r.requestId(), out);
        AuditRecord.Summary summary = r.summary();
        if (summary != null) {
            // Only summaries carry it, so single decisions render exactly as before the field existed.
            out.put(SUMMARY_COUNT);
            out.putLong(summary.count());
            out.put(SUMMARY_LAST);
            instant(summary.last(), out);
            out.put((byte) '"');
            out.put((byte) '}');
        }
        out.put((byte) '}');
    }

    private static void nullableString(String s, ByteBuf out) {
        if (s == null) {
            out.put(NULL);
        } else {
            string(s, out);
        }
    }

    /** A JSON string literal, quotes included. */
    static void string(String s, ByteBuf out) {
        int n = s.length();
        // Worst case per char: 6 bytes (backslash-u00XX) or 3 bytes of UTF-8; plus the quotes.
        out.ensure(n * 6 + 2);
        byte[] b = out.buf;
        int p = out.len;
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte e = ESCAPE[c];
                if (e == 0) {
                    b[p++] = (byte) c;
                } else {
                    b[p++] = '\\';
                    b[p++] = e;
                    if (e == 'u') {
                        b[p++] = '0';
                        b[p++] = '0';
                        b[p++] = HEX[c >> 4];
                        b[p++] = HEX[c & 0xF];
                    }
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                char d;
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(d = s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, d);
                    b[p++] = (byte) (0xF0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (cp & 0x3F));
                    i++;
                } else {
                    b[p++] = '?'; // what String.getBytes(UTF_8) writes for an unpaired surrogate
                }
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        b[p++] = '"';
        out.len = p;
    }

    /** {@link Instant#toString()} (ISO_INSTANT) without the formatter, for years 0000..9999. */
    void instant(Instant t, ByteBuf out) {
        long sec = t.getEpochSecond();
        if (sec < MIN_FAST_SECOND || sec > MAX_FAST_SECOND) {
            out.put(t.toString().getBytes(StandardCharsets.US_ASCII));
            return;
        }
        long day = Math.floorDiv(sec, 86_400L);
        int sod = (int) Math.floorMod(sec, 86_400L);
        if (day != cachedDay) {
            LocalDate d = LocalDate.ofEpochDay(day);
            int y = d.getYear();
            cachedDate[0] = digit(y / 1000);
            cachedDate[1] = digit(y / 100 % 10);
            cachedDate[2] = digit(y / 10 % 10);
            cachedDate[3] = digit(y % 10);
            cachedDate[4] = '-';
            cachedDate[5] = digit(d.getMonthValue() / 10);
            cachedDate[6] = digit(d.getMonthValue() % 10);
            cachedDate[7] = '-';
            cachedDate[8] = digit(d.getDayOfMonth() / 10);
            cachedDate[9] = digit(d.getDayOfMonth() % 10);
            cachedDate[10] = 'T';
            cachedDay = day;
        }
        out.ensure(11 + 8 + 10 + 1);
        byte[] b = out.buf;
        int p = out.len;
        System.arraycopy(cachedDate, 0, b, p, 11);
        p += 11;
        int h = sod / 3600;
        int m = sod / 60 % 60;
        int s = sod % 60;
        b[p++] = digit(h / 10);
        b[p++] = digit(h % 10);
        b[p++] = ':';
        b[p++] = digit(m / 10);
        b[p++] = digit(m % 10);
        b[p++] = ':';
        b[p++] = digit(s / 10);
        b[p++] = digit(s % 10);
        int nano = t.getNano();
        if (nano != 0) {
            b[p++] = '.';
            int digits;
            int value;
            if (nano % 1_000_000 == 0) {
                digits = 3;
                value = nano / 1_000_000;
            } else if (nano % 1_000 == 0) {
                digits = 6;
                value = nano / 1_000;
            } else {
                digits = 9;
                value = nano;
            }
            for (int i = p + digits - 1; i >= p; i--) {
                b[i] = digit(value % 10);
                value /= 10;
            }
            p += digits;
        }
        b[p++] = 'Z';
        out.len = p;
    }

    private static byte digit(int d) {
        return (byte) ('0' + d);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
