package io.securelake.audit;

import java.util.Arrays;

/**
 * A growable byte array for building audit lines without intermediate Strings. Not thread-safe: each
 * writer (or rendering thread) owns its own.
 */
final class ByteBuf {
    private static final byte[] DIGITS = "0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    byte[] buf;
    int len;

    ByteBuf(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    void reset() {
        len = 0;
    }

    /** Drops a buffer that grew for one unusually large batch back to {@code capacity}. */
    void trimTo(int capacity) {
        if (buf.length > capacity) {
            buf = new byte[capacity];
        }
        len = 0;
    }

    void ensure(int extra) {
        int need = len + extra;
        if (need > buf.length) {
            if (need < 0) {
                throw new OutOfMemoryError("audit buffer larger than 2 GiB");
            }
            // Double (capped near the array limit) so growth stays amortised O(1) per byte.
            long doubled = Math.min((long) buf.length << 1, Integer.MAX_VALUE - 16L);
            buf = Arrays.copyOf(buf, (int) Math.max(need, doubled));
        }
    }

    void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    void put(byte[] b) {
        put(b, 0, b.length);
    }

    void put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** Decimal rendering, as {@link Long#toString(long)}. */
    void putLong(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                put(Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                return;
            }
            put((byte) '-');
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        ensure(digits);
        int end = len + digits;
        for (int p = end - 1; p >= len; p--) {
            buf[p] = DIGITS[(int) (v % 10)];
            v /= 10;
        }
        len = end;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
