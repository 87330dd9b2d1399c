package io.securelake.encryption.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.securelake.encryption.Classification;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryptionException;
import io.securelake.encryption.NotEncryptedException;
import io.securelake.encryption.RecordCipher;
import io.securelake.encryption.RecordSchema;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** {@link RecordCipher} for Jackson trees over a {@link FieldCipher}. Absent classified fields stay absent. */
public final class JsonRecordCipher implements RecordCipher {

    private final FieldCipher fieldCipher;
    private final JsonValueCodec codec;
    /** The contexts of the schema used last: callers encrypt many records of one schema in a row. */
    private volatile SchemaContexts lastSchema;

    private record SchemaContexts(RecordSchema schema, Map<String, EncryptionContext> contexts) {
        static SchemaContexts of(RecordSchema schema) {
            Map<String, EncryptionContext> contexts = new java.util.HashMap<>();
            schema.classifications().keySet().forEach(path -> contexts.put(path, schema.contextFor(path)));
            return new SchemaContexts(schema, contexts);
        }
    }

    private Map<String, EncryptionContext> contexts(RecordSchema schema) {
        SchemaContexts sc = lastSchema;
        if (sc == null || sc.schema() != schema) {
            sc = SchemaContexts.of(schema);
            lastSchema = sc;
        }
        return sc.contexts();
    }

    public JsonRecordCipher(FieldCipher fieldCipher) {
        this(fieldCipher, new ObjectMapper());
    }

    public JsonRecordCipher(FieldCipher fieldCipher, ObjectMapper mapper) {
        this.fieldCipher = Objects.requireNonNull(fieldCipher, "fieldCipher");
        this.codec = new JsonValueCodec(mapper);
    }

    @Override
    public ObjectNode encrypt(ObjectNode record, RecordSchema schema) {
        ObjectNode copy = record.deepCopy();
        encryptInPlace(copy, schema);
        return copy;
    }

    @Override
    public ObjectNode decrypt(ObjectNode record, RecordSchema schema) {
        ObjectNode copy = record.deepCopy();
        decryptInPlace(copy, schema);
        return copy;
    }

    @Override
    public void encryptInPlace(ObjectNode record, RecordSchema schema) {
        // All fields are encrypted before any is replaced: the subject field may itself be classified.
        for (Map.Entry<String, byte[]> field : encryptFields(record, schema).entrySet()) {
            String path = field.getKey();
            parentOf(record, path).set(leafOf(path), TextNode.valueOf(CiphertextFormat.toText(field.getValue())));
        }
    }

    @Override
    public Map<String, byte[]> encryptFields(ObjectNode record, RecordSchema schema) {
        // The subject is read once, before anything is encrypted.
        String subjectField = schema.subjectField().orElse(null);
        String subjectId = subjectField == null ? null : subjectOf(record, subjectField, schema);
        Map<String, EncryptionContext> contexts = contexts(schema);
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Classification> field : schema.classifications().entrySet()) {
            String path = field.getKey();
            ObjectNode parent = parentOf(record, path);
            String name = leafOf(path);
            JsonNode value = parent == null ? null : parent.get(name);
            if (value == null) {
                continue;
            }
            out.put(path, fieldCipher.encrypt(codec.encode(value), contexts.get(path), field.getValue().mode(),
                    path.equals(subjectField) ? null : subjectId));
        }
        return out;
    }

    @Override
    public CompletableFuture<Void> prepareSubjectKey(ObjectNode record, RecordSchema schema) {
        String subjectField = schema.subjectField().orElse(null);
        if (subjectField == null) {
            return NOTHING_TO_PREPARE;
        }
        ObjectNode parent = parentOf(record, subjectField);
        JsonNode subject = parent == null ? null : parent.get(leafOf(subjectField));
        if (subject == null || subject.isNull() || !subject.isValueNode()) {
            return NOTHING_TO_PREPARE;
        }
        for (Map.Entry<String, EncryptionContext> field : contexts(schema).entrySet()) {
            if (!field.getKey().equals(subjectField)) {
                return fieldCipher.prepareSubjectKey(field.getValue(), subject.asText());
            }
        }
        return NOTHING_TO_PREPARE;
    }

    private static final CompletableFuture<Void> NOTHING_TO_PREPARE = CompletableFuture.completedFuture(null);

    @Override
    public void decryptInPlace(ObjectNode record, RecordSchema schema) {
        for (Map.Entry<String, Classification> field : schema.classifications().entrySet()) {
            String path = field.getKey();
            ObjectNode parent = parentOf(record, path);
            String name = leafOf(path);
            if (parent == null || !parent.has(name)) {
                continue;
            }
            JsonNode value = parent.get(name);
            EncryptionContext context = contexts(schema).get(path);
            if (!value.isTextual()) {
                throw new NotEncryptedException("field '" + path + "' of dataset '" + schema.dataset()
                        + "' is classified " + field.getValue() + " but holds a clear " + value.getNodeType()
                        + " value; refusing to pass it through");
            }
            byte[] plaintext = fieldCipher.decryptText(value.textValue(), context);
            parent.set(name, codec.decode(plaintext));
        }
    }

    private static String subjectOf(ObjectNode record, String path, RecordSchema schema) {
        ObjectNode parent = parentOf(record, path);
        JsonNode subject = parent == null ? null : parent.get(leafOf(path));
        if (subject == null || subject.isNull() || !subject.isValueNode()) {
            throw new FieldEncryptionException("record of dataset '" + schema.dataset() + "' has no subject id in '"
                    + path + "'; its fields must be encrypted under a subject key");
        }
        return subject.asText();
    }

    private static ObjectNode parentOf(ObjectNode record, String path) {
        int dot = path.indexOf('.');
        ObjectNode node = record;
        int start = 0;
        while (dot >= 0) {
            JsonNode child = node.get(path.substring(start, dot));
            if (!(child instanceof ObjectNode)) {
                return null;
            }
            node = (ObjectNode) child;
            start = dot + 1;
            dot = path.indexOf('.', start);
        }
        return node;
    }

    private static String leafOf(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }
}
