package io.securelake.encryption.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.encryption.DekId;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.MalformedCiphertextException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CiphertextFormatTest {

    @Test
    void headerLayoutIsExactlyAsSpecified() {
        byte[] header = CiphertextFormat.header(EncryptionMode.DETERMINISTIC, "dev.payments", 300,
                new DekId(0x0102030405060708L));
        // 01 | 02 | 0c | "dev.payments" | varint 300 = ac 02 | DEK id
        assertThat(HexFormat.of().formatHex(header))
                .isEqualTo("01020c" + HexFormat.of().formatHex("dev.payments".getBytes()) + "ac02" + "0102030405060708");
        byte[] withBody = Arrays.copyOf(header, header.length + CiphertextFormat.SIV_IV_LENGTH);
        CiphertextFormat.Header parsed = CiphertextFormat.parse(withBody);
        assertThat(parsed.kekName()).isEqualTo("dev.payments");
        assertThat(parsed.kekVersion()).isEqualTo(300);
        assertThat(parsed.dekId().value()).isEqualTo(0x0102030405060708L);
        assertThat(parsed.length()).isEqualTo(header.length);
    }

    @Test
    void nonMinimalVarintAndUnknownModeAreMalformed() {
        byte[] header = CiphertextFormat.header(EncryptionMode.RANDOMIZED, "dev.x", 1, new DekId(1));
        byte[] nonMinimal = new byte[header.length + 1 + 28];
        System.arraycopy(header, 0, nonMinimal, 0, 8);
        nonMinimal[8] = (byte) 0x81; // version 1 written as 81 00
        nonMinimal[9] = 0x00;
        System.arraycopy(header, 9, nonMinimal, 10, 8);
        assertThatThrownBy(() -> CiphertextFormat.parse(nonMinimal))
                .isInstanceOf(MalformedCiphertextException.class).hasMessageContaining("minimally");
        byte[] unknownMode = Arrays.copyOf(header, header.length + 28);
        unknownMode[1] = 9;
        assertThatThrownBy(() -> CiphertextFormat.parse(unknownMode))
                .isInstanceOf(MalformedCiphertextException.class).hasMessageContaining("mode id 9");
    }

    @Test
    void textFormIsUnpaddedBase64UrlAndRejectsPadding() {
        byte[] bytes = {(byte) 0xfb, (byte) 0xff, 0x01, 0x02};
        String text = CiphertextFormat.toText(bytes);
        assertThat(text).isEqualTo("-_8BAg");
        assertThat(CiphertextFormat.fromText(text)).isEqualTo(bytes);
        assertThatThrownBy(() -> CiphertextFormat.fromText("-_8BAg==")).isInstanceOf(MalformedCiphertextException.class);
        assertThatThrownBy(() -> CiphertextFormat.fromText("a+b/")).isInstanceOf(MalformedCiphertextException.class);
    }
}
