package io.securelake.ingest.schema;

import java.nio.ByteBuffer;

/**
 * The bytes of one event on a raw topic: {@code 0x5E}, the schema version as a 4-byte big-endian int,
 * then the Avro binary encoding of the record under that version (docs/RAW-ZONE.md). The version travels
 * in the value, not in a header, so the value alone can always be decoded (and quarantined intact).
 */
public final class EventEncoding {

    public static final byte MAGIC = 0x5E;
    public static final int HEADER_LENGTH = 5;

    private EventEncoding() {
    }

    public static byte[] header(int version) {
        return new byte[] {MAGIC, (byte) (version >>> 24), (byte) (version >>> 16), (byte) (version >>> 8), (byte) version};
    }

    /** @throws MalformedEventException if the value is too short or does not start with the magic byte */
    public static int version(byte[] value) {
        if (value == null || value.length < HEADER_LENGTH) {
            throw new MalformedEventException("value has " + (value == null ? "no" : value.length)
                    + " bytes; an event has at least " + HEADER_LENGTH);
        }
        if (value[0] != MAGIC) {
            throw new MalformedEventException(String.format("value starts with 0x%02X, not the event magic 0x%02X", value[0], MAGIC));
        }
        int version = ByteBuffer.wrap(value, 1, 4).getInt();
        if (version < 1) {
            throw new MalformedEventException("schema version " + version + " is not positive");
        }
        return version;
    }

    /** Thrown when a value is not an event in this encoding. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }
}
