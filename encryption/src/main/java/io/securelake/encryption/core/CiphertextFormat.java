package io.securelake.encryption.core;

import io.securelake.encryption.DatasetMismatchException;
import io.securelake.encryption.DekId;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EnvironmentMismatchException;
import io.securelake.encryption.MalformedCiphertextException;
import io.securelake.encryption.UnsupportedFormatVersionException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Format version 1 of a field ciphertext (specified in docs/encryption-format.md):
 *
 * <pre>
 * u8 version=1 | u8 mode | u8 n | n bytes KEK name (UTF-8) | varint KEK version | 8 bytes DEK id | body
 * body, mode 1 (AES-256-GCM): 12-byte nonce | ciphertext | 16-byte tag
 * body, mode 2 (AES-256-SIV): 16-byte synthetic IV | ciphertext
 * AAD = header bytes | u16 len | environment | u16 len | dataset | u16 len | field path
 * </pre>
 */
public final class CiphertextFormat {

    public static final int VERSION_1 = 1;
    public static final int GCM_NONCE_LENGTH = 12;
    public static final int GCM_TAG_LENGTH = 16;
    public static final int SIV_IV_LENGTH = 16;
    public static final int DEK_ID_LENGTH = 8;

    private static final Base64.Encoder TEXT_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder TEXT_DECODER = Base64.getUrlDecoder();

    private CiphertextFormat() {
    }

    /** A parsed header. {@code length} is where the body starts; the header bytes are {@code [0, length)}. */
    public record Header(int version, EncryptionMode mode, String kekName, int kekVersion, DekId dekId, int length) {
    }

    public static byte[] header(EncryptionMode mode, String kekName, int kekVersion, DekId dekId) {
        byte[] name = kekName.getBytes(StandardCharsets.UTF_8);
        if (name.length < 1 || name.length > 255) {
            throw new IllegalArgumentException("KEK name must be 1..255 UTF-8 bytes: " + kekName);
        }
        if (kekVersion < 0) {
            throw new IllegalArgumentException("KEK version must not be negative: " + kekVersion);
        }
        ByteBuffer buffer = ByteBuffer.allocate(3 + name.length + 5 + DEK_ID_LENGTH);
        buffer.put((byte) VERSION_1).put((byte) mode.wireId()).put((byte) name.length).put(name);
        int v = kekVersion;
        while ((v & ~0x7f) != 0) {
            buffer.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        buffer.put((byte) v);
        buffer.putLong(dekId.value());
        byte[] out = new byte[buffer.position()];
        buffer.flip().get(out);
        return out;
    }

    public static int bodyOverhead(EncryptionMode mode) {
        return mode == EncryptionMode.RANDOMIZED ? GCM_NONCE_LENGTH + GCM_TAG_LENGTH : SIV_IV_LENGTH;
    }

    /** Parses and checks the header and the minimum body length; never looks at keys. */
    public static Header parse(byte[] in) {
        if (in == null || in.length == 0) {
            throw new MalformedCiphertextException("empty ciphertext");
        }
        int version = in[0] & 0xff;
        if (version != VERSION_1) {
            throw new UnsupportedFormatVersionException("unsupported ciphertext format version " + version
                    + " (this reader knows version " + VERSION_1 + "); not a securelake ciphertext, or written by a"
                    + " newer writer");
        }
        if (in.length < 3) {
            throw new MalformedCiphertextException("truncated ciphertext: " + in.length + " bytes, header incomplete");
        }
        EncryptionMode mode = EncryptionMode.fromWireId(in[1] & 0xff);
        if (mode == null) {
            throw new MalformedCiphertextException("unknown encryption mode id " + (in[1] & 0xff));
        }
        int nameLength = in[2] & 0xff;
        int pos = 3;
        if (nameLength == 0 || in.length < pos + nameLength) {
            throw new MalformedCiphertextException("truncated ciphertext: KEK name of " + nameLength
                    + " bytes does not fit in " + in.length + " bytes");
        }
        String kekName;
        boolean ascii = true;
        for (int i = pos; i < pos + nameLength; i++) {
            ascii &= in[i] >= 0;
        }
        // KEK names are ASCII in practice: skip building a strict decoder on the read hot path.
        if (ascii) {
            kekName = new String(in, pos, nameLength, StandardCharsets.US_ASCII);
        } else {
            try {
                kekName = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(in, pos, nameLength)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedCiphertextException("KEK name in ciphertext header is not valid UTF-8", e);
            }
        }
        pos += nameLength;
        long kekVersion = 0;
        int shift = 0;
        while (true) {
            if (pos >= in.length) {
                throw new MalformedCiphertextException("truncated ciphertext: KEK version incomplete");
            }
            int b = in[pos++] & 0xff;
            kekVersion |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) {
                    throw new MalformedCiphertextException("KEK version varint is not minimally encoded");
                }
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw new MalformedCiphertextException("KEK version varint longer than 5 bytes");
            }
        }
        if (kekVersion > Integer.MAX_VALUE) {
            throw new MalformedCiphertextException("KEK version out of range: " + kekVersion);
        }
        if (in.length < pos + DEK_ID_LENGTH) {
            throw new MalformedCiphertextException("truncated ciphertext: DEK id incomplete");
        }
        DekId dekId = new DekId(ByteBuffer.wrap(in, pos, DEK_ID_LENGTH).getLong());
        pos += DEK_ID_LENGTH;
        int bodyLength = in.length - pos;
        if (bodyLength < bodyOverhead(mode)) {
            throw new MalformedCiphertextException("truncated ciphertext: " + mode + " body needs at least "
                    + bodyOverhead(mode) + " bytes, has " + bodyLength);
        }
        return new Header(version, mode, kekName, (int) kekVersion, dekId, pos);
    }

    /** The context part of the AAD: three length-prefixed UTF-8 strings. */
    public static byte[] contextAad(EncryptionContext context) {
        byte[] environment = context.environment().getBytes(StandardCharsets.UTF_8);
        byte[] dataset = context.dataset().getBytes(StandardCharsets.UTF_8);
        byte[] fieldPath = context.fieldPath().getBytes(StandardCharsets.UTF_8);
        if (fieldPath.length > 0xffff) {
            throw new IllegalArgumentException("field path longer than 65535 UTF-8 bytes");
        }
        byte[] out = new byte[6 + environment.length + dataset.length + fieldPath.length];
        int pos = putLengthPrefixed(out, 0, environment);
        pos = putLengthPrefixed(out, pos, dataset);
        putLengthPrefixed(out, pos, fieldPath);
        return out;
    }

    private static int putLengthPrefixed(byte[] out, int pos, byte[] value) {
        out[pos] = (byte) (value.length >>> 8);
        out[pos + 1] = (byte) value.length;
        System.arraycopy(value, 0, out, pos + 2, value.length);
        return pos + 2 + value.length;
    }

    public static String toText(byte[] ciphertext) {
        return TEXT_ENCODER.encodeToString(ciphertext);
    }

    public static byte[] fromText(String text) {
        if (text == null || text.isEmpty()) {
            throw new MalformedCiphertextException("empty ciphertext text");
        }
        if (text.indexOf('=') >= 0) {
            throw new MalformedCiphertextException("ciphertext text must be unpadded base64url");
        }
        try {
            return TEXT_DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedCiphertextException("not a securelake ciphertext (invalid base64url): "
                    + e.getMessage(), e);
        }
    }

    /** Splits {@code <env>.<dataset>} at the first dot (environments have no dots). */
    /** A ciphertext's KEK must be the context's environment and dataset; checked before any key lookup. */
    static void requireKekOfContext(String kekName, EncryptionContext context) {
        String environment = environmentOf(kekName);
        if (!environment.equals(context.environment())) {
            throw new EnvironmentMismatchException("ciphertext is protected by KEK '" + kekName + "' of environment '"
                    + environment + "', but is being read in environment '" + context.environment() + "' ("
                    + "field '" + context.fieldPath() + "' of dataset '" + context.dataset() + "' in environment '"
                    + context.environment() + "'" + ")");
        }
        String dataset = datasetOf(kekName);
        if (!dataset.equals(context.dataset())) {
            throw new DatasetMismatchException("ciphertext is protected by KEK '" + kekName + "' of dataset '"
                    + dataset + "', but is being read as dataset '" + context.dataset() + "' (" + "field '" + context.fieldPath() + "' of dataset '" + context.dataset() + "' in environment '"
                    + context.environment() + "'"
                    + ")");
        }
    }

    static String environmentOf(String kekName) {
        int dot = kekName.indexOf('.');
        return dot < 0 ? kekName : kekName.substring(0, dot);
    }

    static String datasetOf(String kekName) {
        int dot = kekName.indexOf('.');
        return dot < 0 ? "" : kekName.substring(dot + 1);
    }
}
