package io.securelake.contracts;

/**
 * Checks a contract's records make in their constructors. Each failure is an {@link InvalidField} naming the JSON
 * field; {@link ContractCodec} adds the file and the path to the enclosing object, so a reader learns which file and
 * which field broke the contract.
 */
public final class Fields {
    private Fields() {
    }

    /** A field that breaks its record's rule; {@code field} is its JSON name. */
    public static final class InvalidField extends IllegalArgumentException {
        private final String field;
        private final String problem;

        public InvalidField(String field, String problem) {
            super("field '" + field + "' " + problem);
            this.field = field;
            this.problem = problem;
        }

        public String field() {
            return field;
        }

        public String problem() {
            return problem;
        }
    }

    public static <T> T required(T value, String field) {
        if (value == null) {
            throw new InvalidField(field, "is required");
        }
        return value;
    }

    public static String nonBlank(String value, String field) {
        if (required(value, field).isBlank()) {
            throw new InvalidField(field, "must not be blank");
        }
        return value;
    }

    /** A field that may be null (nothing to say) but, when given, not blank. */
    public static String nullOrNonBlank(String value, String field) {
        return value == null ? null : nonBlank(value, field);
    }

    public static long notNegative(long value, String field) {
        if (value < 0) {
            throw new InvalidField(field, "must be >= 0, got " + value);
        }
        return value;
    }

    public static double notNegative(double value, String field) {
        if (!(value >= 0)) {
            throw new InvalidField(field, "must be >= 0, got " + value);
        }
        return value;
    }

    /** Figures that use -1 for "unknown" (lag before the first fetch, an offset before the first commit). */
    public static long notBelowMinusOne(long value, String field) {
        if (value < -1) {
            throw new InvalidField(field, "must be >= -1 (-1: unknown), got " + value);
        }
        return value;
    }

    public static int port(int value, String field) {
        if (value < 1 || value > 65535) {
            throw new InvalidField(field, "must be a port 1..65535, got " + value);
        }
        return value;
    }

    public static long pid(long value, String field) {
        if (value <= 0) {
            throw new InvalidField(field, "must be a process id (> 0), got " + value);
        }
        return value;
    }
}
