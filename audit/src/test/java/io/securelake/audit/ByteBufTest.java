package io.securelake.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteBufTest {
    @Test
    void longsRenderAsLongToStringAndTheBufferGrows() {
        ByteBuf b = new ByteBuf(1);
        long[] values = {0, 1, 9, 10, 99, 100, 12345, -1, -10, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
        StringBuilder expected = new StringBuilder();
        for (long v : values) {
            b.putLong(v);
            b.put((byte) ',');
            expected.append(v).append(',');
        }
        for (int i = 0; i < 10_000; i++) {
            b.put("abc".getBytes(StandardCharsets.US_ASCII));
            expected.append("abc");
        }
        assertThat(new String(b.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
        b.trimTo(64);
        assertThat(b.len).isZero();
        assertThat(b.buf.length).isEqualTo(64);
    }
}
