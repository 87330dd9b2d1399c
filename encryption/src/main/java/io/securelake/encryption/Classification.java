package io.securelake.encryption;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * A field's data classification, which decides whether and how it is encrypted. Dataset schemas carry it as the
 * {@value #PROPERTY} property of a field, written {@code pii-randomized} or {@code pii-deterministic}
 * ({@link #label()}); {@link #parse} is the one parser of that property, for every module that reads schemas
 * (ingest, warehouse-etl, the policy baseline).
 */
public enum Classification {
    /** PII that is only read back: randomized AEAD. */
    PII_RANDOMIZED("pii-randomized", EncryptionMode.RANDOMIZED),
    /** PII that must be joined, grouped or looked up: deterministic AEAD. */
    PII_DETERMINISTIC("pii-deterministic", EncryptionMode.DETERMINISTIC);

    /** The field property of a dataset schema that holds the classification. */
    public static final String PROPERTY = "classification";

    private final String label;
    private final EncryptionMode mode;

    Classification(String label, EncryptionMode mode) {
        this.label = label;
        this.mode = mode;
    }

    public EncryptionMode mode() {
        return mode;
    }

    /** How schemas write it, e.g. {@code pii-randomized}. */
    public String label() {
        return label;
    }

    /**
     * The classification a field's {@value #PROPERTY} property names. Letter case is ignored (schemas have been
     * accepted that way); anything else that is not a known label, a non-string value included, is refused: a
     * classification nobody understands must never let a personal field pass as unclassified.
     *
     * @param field the field's name or dot-separated path, for the message
     * @param value the property's value as the schema holds it (a string, or whatever JSON value was written)
     * @throws IllegalArgumentException naming the field and the value, and listing the known labels
     */
    public static Classification parse(String field, Object value) {
        Objects.requireNonNull(field, "field");
        if (value instanceof String text) {
            String wanted = text.toLowerCase(Locale.ROOT);
            for (Classification c : values()) {
                if (c.label.equals(wanted)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("field '" + field + "': unknown " + PROPERTY + " '" + value + "' (known: "
                + String.join(", ", Arrays.stream(values()).map(Classification::label).toList()) + ")");
    }
}
