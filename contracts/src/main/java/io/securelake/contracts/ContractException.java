package io.securelake.contracts;

import java.util.Optional;

/**
 * A document that crossed a process boundary does not hold what its contract says: an unknown or missing
 * field, a value of the wrong type or out of range, a state no process writes, or another contract version.
 * The message names the file (or what was parsed) and the field, so whoever reads it knows which writer to
 * blame.
 */
public final class ContractException extends IllegalArgumentException {
    private final String source;
    private final String field;

    public ContractException(String source, String field, String problem, Throwable cause) {
        super(source + ": " + (field == null || field.isEmpty() ? "" : "field '" + field + "': ") + problem, cause);
        this.source = source;
        this.field = field;
    }

    /** The file (or the description of what was parsed). */
    public String source() {
        return source;
    }

    /** The field at fault, as a JSON path ({@code figures.partitions[0].lag}); empty for the whole document. */
    public Optional<String> field() {
        return Optional.ofNullable(field).filter(f -> !f.isEmpty());
    }
}
