package io.securelake.encryption;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a field value lives. All three parts are bound into the ciphertext as authenticated data, so a
 * ciphertext copied into another environment, dataset or field does not decrypt.
 *
 * @param environment e.g. {@code dev}, {@code prod}; no dots, because the KEK name is {@code <env>.<dataset>}
 * @param dataset     e.g. {@code payments}
 * @param fieldPath   dot-separated path inside the record, e.g. {@code customer.email}
 */
public record EncryptionContext(String environment, String dataset, String fieldPath) {

    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}");

    public EncryptionContext {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(fieldPath, "fieldPath");
        if (!ENVIRONMENT.matcher(environment).matches()) {
            throw new IllegalArgumentException("environment must match " + ENVIRONMENT + ": '" + environment + "'");
        }
        if (!DATASET.matcher(dataset).matches()) {
            throw new IllegalArgumentException("dataset must match " + DATASET + ": '" + dataset + "'");
        }
        if (fieldPath.isEmpty() || fieldPath.length() > 1000) {
            throw new IllegalArgumentException("fieldPath must have 1..1000 characters");
        }
    }

    /** The KEK that protects this dataset's DEKs: {@code <environment>.<dataset>}. */
    public String kekName() {
        return environment + "." + dataset;
    }

    /** Same environment and dataset, another field. */
    public EncryptionContext withFieldPath(String otherFieldPath) {
        return new EncryptionContext(environment, dataset, otherFieldPath);
    }

    /** Validates the environment part alone (used by settings). */
    public static boolean isValidEnvironment(String environment) {
        return environment != null && ENVIRONMENT.matcher(environment).matches();
    }
}
