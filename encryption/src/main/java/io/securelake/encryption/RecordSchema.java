package io.securelake.encryption;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The classifications of one dataset's record type.
 *
 * @param environment     environment the records belong to
 * @param dataset         dataset name; with the environment it names the KEK
 * @param classifications field path (dot-separated) to classification; unlisted fields stay clear
 * @param subjectField    optional path of the field that holds the data subject's id (e.g. a customer id).
 *                        When present, classified fields are encrypted under that subject's own key, so
 *                        shredding the subject makes exactly its fields unreadable. The subject field itself
 *                        is never encrypted under the subject key (it may be classified like any other field;
 *                        then it uses the dataset key).
 */
public record RecordSchema(String environment, String dataset, Map<String, Classification> classifications,
                           Optional<String> subjectField) {

    public RecordSchema {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(subjectField, "subjectField");
        classifications = Map.copyOf(classifications);
        // Validates environment and dataset once, and every path.
        for (String path : classifications.keySet()) {
            new EncryptionContext(environment, dataset, path);
        }
    }

    public static RecordSchema of(String environment, String dataset, Map<String, Classification> classifications) {
        return new RecordSchema(environment, dataset, classifications, Optional.empty());
    }

    public RecordSchema withSubjectField(String path) {
        return new RecordSchema(environment, dataset, classifications, Optional.of(path));
    }

    public EncryptionContext contextFor(String fieldPath) {
        return new EncryptionContext(environment, dataset, fieldPath);
    }

    /** Convenience for building schemas in declaration order. */
    public static Map<String, Classification> fields(Object... pathThenClassification) {
        Map<String, Classification> map = new LinkedHashMap<>();
        for (int i = 0; i < pathThenClassification.length; i += 2) {
            map.put((String) pathThenClassification[i], (Classification) pathThenClassification[i + 1]);
        }
        return map;
    }
}
