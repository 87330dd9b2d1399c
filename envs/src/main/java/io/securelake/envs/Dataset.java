package io.securelake.envs;

import java.util.Objects;

/** A stream of events of one kind (e.g. payments) and everything derived from it. */
public record Dataset(String name, Partitioning partitioning, int retentionDays) {
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(partitioning, "partitioning");
        if (retentionDays < 1) {
            throw new IllegalArgumentException("retentionDays must be >= 1: " + retentionDays);
        }
    }
}
