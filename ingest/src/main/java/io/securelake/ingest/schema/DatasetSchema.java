package io.securelake.ingest.schema;

import io.securelake.encryption.Classification;
import io.securelake.encryption.RecordSchema;
import io.securelake.encryption.avro.WireSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * One version of a dataset's event schema: an Avro record whose sensitive fields carry a
 * {@code "classification"} property ({@code pii-randomized} or {@code pii-deterministic}) and at most one
 * {@code "subject": true} field (the data subject whose key encrypts the record, for crypto-shredding).
 * Record-level properties: {@code key_field} (the Kafka key; stable, so clear or deterministic) and
 * {@code time_field} (a {@code timestamp-millis} field that decides the raw zone's dt/hr partition).
 *
 * <p>Two Avro schemas per version: {@code avro}, what producers send (classified fields are declared as the
 * strings applications hold), and {@code wire}, what the raw topic and the raw zone carry: the same record
 * with each classified field's {@code string} replaced by {@code bytes}, since it holds the binary ciphertext
 * (docs/encryption-format.md section 2), a quarter shorter than its base64url text. Avro encodes string and
 * bytes alike, so older events whose ciphertext is text still read under the wire schema, as the text's bytes.
 *
 * @param classifications dot-separated field path to classification, in declaration order
 */
public record DatasetSchema(String dataset, int version, Schema avro, Schema wire,
                            Map<String, Classification> classifications, Optional<String> subjectField,
                            String keyField, Optional<String> timeField) {

    public static final String CLASSIFICATION = Classification.PROPERTY;
    public static final String SUBJECT = "subject";
    public static final String KEY_FIELD = "key_field";
    public static final String TIME_FIELD = "time_field";

    public DatasetSchema {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(avro, "avro");
        Objects.requireNonNull(wire, "wire");
        classifications = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classifications));
        Objects.requireNonNull(subjectField, "subjectField");
        Objects.requireNonNull(keyField, "keyField");
        Objects.requireNonNull(timeField, "timeField");
        if (version < 1) {
            throw new IllegalArgumentException("schema version must be >= 1: " + version);
        }
    }

    /** The classifications as the encryption module needs them for one environment. */
    public RecordSchema recordSchema(String environment) {
        return new RecordSchema(environment, dataset, classifications, subjectField);
    }

    public boolean isClassified(String path) {
        return classifications.containsKey(path);
    }

    /**
     * Parses and checks one schema text. Every problem is reported at once, naming the field.
     *
     * @param source where the text came from, for messages (e.g. {@code envs/schemas/payments/v2.avsc})
     */
    public static DatasetSchema parse(String dataset, int version, String avscText, String source) {
        Schema schema;
        try {
            schema = new Schema.Parser().parse(avscText);
        } catch (org.apache.avro.AvroRuntimeException e) {
            throw new InvalidSchemaException(source, List.of("not a valid Avro schema: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (schema.getType() != Schema.Type.RECORD) {
            throw new InvalidSchemaException(source, List.of("top level must be an Avro record, found " + schema.getType()));
        }
        Map<String, Classification> classifications = new LinkedHashMap<>();
        List<String> subjects = new ArrayList<>();
        collect(schema, "", classifications, subjects, problems);
        if (subjects.size() > 1) {
            problems.add("at most one field may be \"subject\": true, found " + subjects);
        }
        String keyField = schema.getProp(KEY_FIELD);
        if (keyField == null) {
            problems.add("record property \"" + KEY_FIELD + "\" is missing: name the field whose value is the Kafka key");
        } else {
            Schema.Field f = field(schema, keyField);
            if (f == null) {
                problems.add(KEY_FIELD + " '" + keyField + "' is not a field of the record");
            } else if (f.schema().getType() != Schema.Type.STRING) {
                problems.add(KEY_FIELD + " '" + keyField + "' must be a non-null string, is " + f.schema());
            } else if (classifications.get(keyField) == Classification.PII_RANDOMIZED) {
                problems.add(KEY_FIELD + " '" + keyField + "' is pii-randomized: its ciphertext changes at every event, "
                        + "so it cannot be a stable key; make it pii-deterministic or choose another field");
            }
        }
        String timeField = schema.getProp(TIME_FIELD);
        if (timeField != null) {
            Schema.Field f = field(schema, timeField);
            if (f == null) {
                problems.add(TIME_FIELD + " '" + timeField + "' is not a field of the record");
            } else if (f.schema().getType() != Schema.Type.LONG
                    || !(f.schema().getLogicalType() instanceof LogicalTypes.TimestampMillis)) {
                problems.add(TIME_FIELD + " '" + timeField + "' must be a non-null long with logicalType timestamp-millis");
            } else if (classifications.containsKey(timeField)) {
                problems.add(TIME_FIELD + " '" + timeField + "' must not be classified: the writer partitions by it");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSchemaException(source, problems);
        }
        return new DatasetSchema(dataset, version, schema, WireSchema.of(schema), classifications,
                subjects.isEmpty() ? Optional.empty() : Optional.of(subjects.get(0)), keyField,
                Optional.ofNullable(timeField));
    }

    private static Schema.Field field(Schema record, String path) {
        Schema current = record;
        Schema.Field found = null;
        for (String part : path.split("\\.")) {
            if (current == null || current.getType() != Schema.Type.RECORD) {
                return null;
            }
            found = current.getField(part);
            if (found == null) {
                return null;
            }
            current = found.schema();
        }
        return found;
    }

    private static void collect(Schema record, String prefix, Map<String, Classification> out, List<String> subjects,
                                List<String> problems) {
        for (Schema.Field f : record.getFields()) {
            String path = prefix + f.name();
            Object classification = f.getObjectProp(CLASSIFICATION);
            Object subject = f.getObjectProp(SUBJECT);
            if (classification != null) {
                Classification c = parseClassification(classification, path, problems);
                if (c != null) {
                    if (!isStringOrNullableString(f.schema())) {
                        // Ciphertext is a base64url string; the field must be able to hold it.
                        problems.add("field '" + path + "' is classified but its type is " + f.schema()
                                + "; classified fields must be \"string\" or [\"null\", \"string\"]");
                    }
                    if (f.hasDefaultValue() && f.defaultVal() != org.apache.avro.JsonProperties.NULL_VALUE) {
                        // An absent field would take the default, which nothing encrypts.
                        problems.add("field '" + path + "' is classified but has a non-null default, which would be "
                                + "stored unencrypted; make it [\"null\", \"string\"] with default null");
                    }
                    out.put(path, c);
                }
            }
            if (subject != null) {
                if (!Boolean.TRUE.equals(subject)) {
                    problems.add("field '" + path + "': \"subject\" must be true or absent, found " + subject);
                } else if (f.schema().getType() != Schema.Type.STRING) {
                    problems.add("subject field '" + path + "' must be a non-null string (every event needs its subject)");
                } else {
                    subjects.add(path);
                }
            }
            Schema nested = f.schema();
            if (nested.getType() == Schema.Type.RECORD) {
                collect(nested, path + ".", out, subjects, problems);
            } else if (classification == null && containsClassifiedRecord(nested)) {
                problems.add("field '" + path + "' nests classified fields inside a union, array or map; "
                        + "only nested records may carry classified fields");
            }
        }
    }

    private static boolean containsClassifiedRecord(Schema s) {
        return switch (s.getType()) {
            case UNION -> s.getTypes().stream().anyMatch(DatasetSchema::containsClassifiedRecord);
            case ARRAY -> containsClassifiedRecord(s.getElementType());
            case MAP -> containsClassifiedRecord(s.getValueType());
            case RECORD -> s.getFields().stream().anyMatch(f -> f.getObjectProp(CLASSIFICATION) != null
                    || containsClassifiedRecord(f.schema()));
            default -> false;
        };
    }

    static boolean isStringOrNullableString(Schema s) {
        if (s.getType() == Schema.Type.STRING) {
            return true;
        }
        return s.getType() == Schema.Type.UNION && s.getTypes().size() == 2
                && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL)
                && s.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.STRING);
    }

    /** {@link Classification#parse}, its refusal collected with the schema's other problems. */
    static Classification parseClassification(Object value, String path, List<String> problems) {
        try {
            return Classification.parse(path, value);
        } catch (IllegalArgumentException unknown) {
            problems.add(unknown.getMessage());
            return null;
        }
    }
}
