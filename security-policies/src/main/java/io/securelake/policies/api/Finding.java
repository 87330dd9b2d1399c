package io.securelake.policies.api;

import java.nio.file.Path;

/**
 * One problem in the policies of an environment, located by file and policy name.
 *
 * @param policy the policy's name, or {@code -} for a file-level problem
 */
public record Finding(Severity severity, Kind kind, Path file, String policy, String message) {

    public enum Severity { ERROR, WARNING }

    public enum Kind {
        SCHEMA, UNKNOWN_RESOURCE, UNKNOWN_ACCESS_TYPE, UNKNOWN_USER, UNKNOWN_GROUP, SHADOWED, CONTRADICTORY,
        OVER_BROAD, CROSS_ENVIRONMENT, WRONG_SERVICE, DUPLICATE
    }

    @Override
    public String toString() {
        return severity + " " + file + " [" + policy + "] " + kind + ": " + message;
    }
}
