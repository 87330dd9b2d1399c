package io.securelake.encryption.avro;

import io.securelake.encryption.Classification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * The Avro form classified fields travel and rest in: every field with a {@value Classification#PROPERTY} property
 * holds binary ciphertext (docs/encryption-format.md section 2), so its {@code string} becomes {@code bytes}
 * ({@code ["null", "string"]} becomes {@code ["null", "bytes"]}, branches in the declared order); a field already
 * {@code bytes} stays so. Everything else is unchanged: names, namespaces, docs, defaults, orders, aliases and
 * properties of records, fields, arrays and maps, so version compatibility and Spark's view of the records carry
 * over.
 *
 * <p>The one implementation of this walk: the producers' wire schema (ingest's {@code DatasetSchema}, which the
 * raw topic and the raw zone carry) and the ETL's reader schema for raw files (warehouse-etl's
 * {@code RawCiphertext}) both come from here. Named records met more than once (or recursively) are converted once
 * and shared, as Avro requires. Classified fields are recognised through nested records, unions, arrays and maps;
 * each classification is parsed strictly ({@link Classification#parse}).
 */
public final class WireSchema {

    private WireSchema() {
    }

    /** The wire form of {@code logical}; see the class comment. */
    public static Schema of(Schema logical) {
        return new Converter().convert(logical, "");
    }

    /**
     * The classification of one field, if it has one.
     *
     * @param path the field's dot-separated path, for the message
     * @throws IllegalArgumentException if the property names no known classification
     */
    public static Optional<Classification> classification(Schema.Field field, String path) {
        Object value = field.getObjectProp(Classification.PROPERTY);
        return value == null ? Optional.empty() : Optional.of(Classification.parse(path, value));
    }

    /**
     * Dot-separated paths of the classified fields of a record, nested records included, in declaration order.
     * Classified fields are only allowed directly in records (a dataset schema refuses any inside a union, array or
     * map: a path could not name one value of many); such a schema is refused here too rather than read with
     * ciphertext left where nobody looks for it.
     *
     * @throws IllegalArgumentException for a classified field inside a union, array or map, or an unknown classification
     */
    public static List<String> classifiedPaths(Schema record) {
        if (record.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("not a record: " + record);
        }
        List<String> out = new ArrayList<>();
        collect(record, "", out);
        return out;
    }

    private static void collect(Schema record, String prefix, List<String> out) {
        for (Schema.Field f : record.getFields()) {
            String path = prefix + f.name();
            if (classification(f, path).isPresent()) {
                out.add(path);
            } else if (f.schema().getType() == Schema.Type.RECORD) {
                collect(f.schema(), path + ".", out);
            } else if (nestsClassified(f.schema(), new java.util.HashSet<>())) {
                throw new IllegalArgumentException("field '" + path + "' nests classified fields inside a union, array"
                        + " or map; only nested records may carry classified fields");
            }
        }
    }

    private static boolean nestsClassified(Schema s, java.util.Set<String> seen) {
        return switch (s.getType()) {
            case UNION -> s.getTypes().stream().anyMatch(t -> nestsClassified(t, seen));
            case ARRAY -> nestsClassified(s.getElementType(), seen);
            case MAP -> nestsClassified(s.getValueType(), seen);
            case RECORD -> seen.add(s.getFullName()) && s.getFields().stream().anyMatch(
                    f -> f.getObjectProp(Classification.PROPERTY) != null || nestsClassified(f.schema(), seen));
            default -> false;
        };
    }

    private static final class Converter {
        /** Records already converted, by full name: a named type may be used more than once, or in itself. */
        private final Map<String, Schema> records = new HashMap<>();

        Schema convert(Schema s, String path) {
            return switch (s.getType()) {
                case RECORD -> record(s, path);
                case UNION -> {
                    List<Schema> branches = new ArrayList<>();
                    for (Schema b : s.getTypes()) {
                        branches.add(convert(b, path));
                    }
                    yield Schema.createUnion(branches);
                }
                case ARRAY -> copyProps(s, Schema.createArray(convert(s.getElementType(), path + "[]")));
                case MAP -> copyProps(s, Schema.createMap(convert(s.getValueType(), path + "{}")));
                default -> s; // primitives, enums and fixed carry no fields: nothing in them is classified
            };
        }

        private Schema record(Schema s, String path) {
            Schema done = records.get(s.getFullName());
            if (done != null) {
                return done;
            }
            Schema out = Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), s.isError());
            records.put(s.getFullName(), out); // before the fields: a field may refer to this record
            String prefix = path.isEmpty() ? "" : path + ".";
            List<Schema.Field> fields = new ArrayList<>();
            for (Schema.Field f : s.getFields()) {
                String fieldPath = prefix + f.name();
                Schema type = classification(f, fieldPath).isPresent() ? ciphertext(f.schema(), fieldPath)
                        : convert(f.schema(), fieldPath);
                fields.add(new Schema.Field(f, type)); // name, doc, default, order, aliases, properties
            }
            out.setFields(fields);
            s.getAliases().forEach(out::addAlias);
            return copyProps(s, out);
        }

        /** string → bytes, bytes as it is, and the same for each branch of a union (e.g. [null, string]). */
        private static Schema ciphertext(Schema s, String path) {
            return switch (s.getType()) {
                case STRING -> Schema.create(Schema.Type.BYTES);
                case BYTES -> s;
                case UNION -> {
                    List<Schema> branches = new ArrayList<>();
                    for (Schema b : s.getTypes()) {
                        branches.add(b.getType() == Schema.Type.STRING ? Schema.create(Schema.Type.BYTES) : b);
                    }
                    yield Schema.createUnion(branches);
                }
                default -> throw new IllegalArgumentException("field '" + path + "' is classified but its type is "
                        + s + ": ciphertext is held as a string or bytes (optionally with null)");
            };
        }

        private static Schema copyProps(JsonProperties from, Schema to) {
            from.getObjectProps().forEach(to::addProp);
            return to;
        }
    }
}
