package io.securelake.ingest.schema;

/**
 * An event does not conform to its dataset's schema. The message names the field and what is wrong but
 * never the value, so it can go to logs, dead letters and audit without leaking personal data.
 */
public final class EventValidationException extends RuntimeException {
    private final String field;

    public EventValidationException(String field, String reason) {
        super(field == null || field.isEmpty() ? reason : "field '" + field + "': " + reason);
        this.field = field;
    }

    /** Dot-separated path of the offending field, or empty for the record as a whole. */
    public String field() {
        return field == null ? "" : field;
    }
}
