package io.securelake.encryption;

import java.util.HexFormat;

/** 64-bit random DEK reference carried in every ciphertext. */
public record DekId(long value) {

    public String hex() {
        return HexFormat.of().toHexDigits(value);
    }

    public static DekId fromHex(String hex) {
        return new DekId(HexFormat.fromHexDigitsToLong(hex));
    }

    @Override
    public String toString() {
        return hex();
    }
}
