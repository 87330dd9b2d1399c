package io.securelake.ingest.schema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;

/**
 * Derives the schema events travel and rest in from the one producers validate against: every field with a
 * {@code classification} becomes {@code bytes} (or {@code ["null", "bytes"]}, in the declared order), all else
 * (names, namespaces, docs, defaults, properties) unchanged. Names stay the same, so version compatibility
 * and Spark's view of the records carry over.
 */
final class WireSchema {

    private WireSchema() {
    }

    static Schema of(Schema logical) {
        return new WireSchemaBuilder().convert(logical);
    }

    private static final class WireSchemaBuilder {
        /** Records already converted, by full name: a named type may be used more than once. */
        private final Map<String, Schema> records = new HashMap<>();

        Schema convert(Schema s) {
            return switch (s.getType()) {
                case RECORD -> record(s);
                case UNION -> {
                    List<Schema> branches = new ArrayList<>();
                    for (Schema b : s.getTypes()) {
                        branches.add(convert(b));
                    }
                    yield Schema.createUnion(branches);
                }
                case ARRAY -> copyProps(s, Schema.createArray(convert(s.getElementType())));
                case MAP -> copyProps(s, Schema.createMap(convert(s.getValueType())));
                default -> s;
            };
        }

        private Schema record(Schema s) {
            Schema done = records.get(s.getFullName());
            if (done != null) {
                return done;
            }
            Schema out = Schema.createRecord(s.getName(), s.getDoc(), s.getNamespace(), s.isError());
            records.put(s.getFullName(), out);
            List<Schema.Field> fields = new ArrayList<>();
            for (Schema.Field f : s.getFields()) {
                Schema type = f.getObjectProp(DatasetSchema.CLASSIFICATION) != null ? ciphertext(f.schema()) : convert(f.schema());
                fields.add(new Schema.Field(f, type)); // name, doc, default, order, aliases, properties
            }
            out.setFields(fields);
            s.getAliases().forEach(out::addAlias);
            return copyProps(s, out);
        }

        /** string → bytes, [null, string] → [null, bytes] (DatasetSchema allows only these for classified fields). */
        private static Schema ciphertext(Schema s) {
            if (s.getType() == Schema.Type.STRING) {
                return Schema.create(Schema.Type.BYTES);
            }
            List<Schema> branches = new ArrayList<>();
            for (Schema b : s.getTypes()) {
                branches.add(b.getType() == Schema.Type.STRING ? Schema.create(Schema.Type.BYTES) : b);
            }
            return Schema.createUnion(branches);
        }

        private static Schema copyProps(JsonProperties from, Schema to) {
            from.getObjectProps().forEach(to::addProp);
            return to;
        }
    }
}
