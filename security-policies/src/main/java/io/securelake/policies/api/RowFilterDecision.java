package io.securelake.policies.api;

import java.util.Optional;

/** A row filter decided by the engine: the predicate the query engine must add; empty for none. */
public record RowFilterDecision(Optional<String> filter, Optional<String> policy) {
    public static RowFilterDecision none() {
        return new RowFilterDecision(Optional.empty(), Optional.empty());
    }
}
