package io.securelake.lakewriter;

import java.io.IOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Checks that bytes are exactly one Avro binary datum of a schema, without building it, and reads one
 * top-level long field on the way (the event time). The writer appends such bytes to its files as they
 * are, so what is checked is what a reader of those files needs: every union branch and enum symbol index
 * in range, no negative or overlong length, and nothing after the datum. As strict as decoding it with
 * {@code GenericDatumReader}, which additionally builds a record for every event only to throw it away.
 * Not thread-safe (reuses its decoder).
 */
final class DatumScanner {

    /** Bytes that are not a datum of the schema; the message names where, never a value. */
    static final class InvalidDatumException extends Exception {
        InvalidDatumException(String message) {
            super(message);
        }
    }

    private final Schema schema;
    private final int timeField;
    private BinaryDecoder decoder;
    private int end;

    /** @param timeField the top-level field to read, a long or a union of null and long; null for none */
    DatumScanner(Schema schema, String timeField) {
        this.schema = schema;
        this.timeField = timeField == null ? -1 : schema.getField(timeField).pos();
    }

    /** @return the time field's value, or -1 if there is none or it is null */
    long scan(byte[] value, int offset, int length) throws InvalidDatumException {
        decoder = DecoderFactory.get().binaryDecoder(value, offset, length, decoder);
        end = length;
        long time = -1;
        try {
            List<Schema.Field> fields = schema.getFields();
            for (int i = 0, n = fields.size(); i < n; i++) {
                Schema.Field f = fields.get(i);
                if (i == timeField) {
                    time = readTime(f);
                } else {
                    walk(f.schema(), f.name());
                }
            }
            if (!decoder.isEnd()) {
                throw new InvalidDatumException("trailing bytes after the record");
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidDatumException("not a valid " + schema.getName() + " record: " + e.getClass().getSimpleName());
        }
        return time;
    }

    private long readTime(Schema.Field f) throws IOException, InvalidDatumException {
        Schema s = f.schema();
        if (s.getType() == Schema.Type.UNION) {
            s = branch(s, f.name());
        }
        return switch (s.getType()) {
            case LONG -> decoder.readLong();
            case NULL -> -1;
            default -> throw new IllegalStateException("time field " + f.name() + " is " + s.getType() + ", not a long");
        };
    }

    private Schema branch(Schema union, String where) throws IOException, InvalidDatumException {
        int index = decoder.readIndex();
        List<Schema> types = union.getTypes();
        if (index < 0 || index >= types.size()) {
            throw new InvalidDatumException("union branch " + index + " out of range at " + where);
        }
        return types.get(index);
    }

    private void walk(Schema s, String where) throws IOException, InvalidDatumException {
        switch (s.getType()) {
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), f.name());
                }
            }
            case UNION -> walk(branch(s, where), where);
            case ENUM -> {
                int symbol = decoder.readEnum();
                if (symbol < 0 || symbol >= s.getEnumSymbols().size()) {
                    throw new InvalidDatumException("enum symbol " + symbol + " out of range at " + where);
                }
            }
            case STRING, BYTES -> skipLength(where);
            case FIXED -> decoder.skipFixed(s.getFixedSize());
            case INT -> decoder.readInt();
            case LONG -> decoder.readLong();
            case FLOAT -> decoder.readFloat();
            case DOUBLE -> decoder.readDouble();
            case BOOLEAN -> decoder.readBoolean();
            case NULL -> decoder.readNull();
            case ARRAY -> {
                for (long n = decoder.readArrayStart(); n != 0; n = decoder.arrayNext()) {
                    checkCount(n, where);
                    for (long i = 0; i < n; i++) {
                        walk(s.getElementType(), where);
                    }
                }
            }
            case MAP -> {
                for (long n = decoder.readMapStart(); n != 0; n = decoder.mapNext()) {
                    checkCount(n, where);
                    for (long i = 0; i < n; i++) {
                        skipLength(where);
                        walk(s.getValueType(), where);
                    }
                }
            }
        }
    }

    /** A string or bytes: a length that fits in what is left, then that many bytes. */
    private void skipLength(String where) throws IOException, InvalidDatumException {
        long length = decoder.readLong();
        if (length < 0 || length > end) {
            throw new InvalidDatumException("length " + length + " out of range at " + where);
        }
        decoder.skipFixed((int) length);
    }

    /**
     * A block count larger than the datum's size is refused. That is stricter than a full decode for arrays
     * and maps of zero-byte items (null, an empty record, fixed(0)), which no dataset schema has; it keeps a
     * corrupt count from spinning the writer through billions of empty items.
     */
    private void checkCount(long n, String where) throws InvalidDatumException {
        if (n < 0 || n > end) {
            throw new InvalidDatumException("item count " + n + " out of range at " + where);
        }
    }
}
