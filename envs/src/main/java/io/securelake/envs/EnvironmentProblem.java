package io.securelake.envs;

import java.nio.file.Path;

/**
 * One thing wrong with an environment definition, located precisely enough to fix it.
 *
 * @param line   1-based, 0 when unknown
 * @param column 1-based, 0 when unknown
 * @param field  path of the field, e.g. {@code people[2].groups[0]}; empty for the document itself
 */
public record EnvironmentProblem(Path file, int line, int column, String field, String message) {
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.valueOf(file));
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (!field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(message).toString();
    }
}
