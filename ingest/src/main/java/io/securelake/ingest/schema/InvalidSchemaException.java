package io.securelake.ingest.schema;

import java.util.List;

/** A schema file or proposed version that is refused; {@link #problems()} says every reason. */
public final class InvalidSchemaException extends RuntimeException {
    private final List<String> problems;

    public InvalidSchemaException(String subject, List<String> problems) {
        super(subject + " is refused:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
