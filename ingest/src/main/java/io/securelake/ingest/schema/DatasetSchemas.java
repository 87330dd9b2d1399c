package io.securelake.ingest.schema;

import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/** All versions of one dataset's schema; producers write {@link #latest()}, readers resolve any version to it. */
public record DatasetSchemas(String dataset, NavigableMap<Integer, DatasetSchema> versions, Set<Integer> retired) {

    public DatasetSchemas {
        versions = Collections.unmodifiableNavigableMap(new TreeMap<>(versions));
        retired = Set.copyOf(retired);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("dataset " + dataset + " has no schema version");
        }
    }

    public DatasetSchema latest() {
        return versions.lastEntry().getValue();
    }

    /** @throws UnknownSchemaVersionException if the version is not in the catalog */
    public DatasetSchema version(int version) {
        DatasetSchema s = versions.get(version);
        if (s == null) {
            throw new UnknownSchemaVersionException(dataset, version, versions.lastKey());
        }
        return s;
    }

    public List<DatasetSchema> inUse() {
        return versions.values().stream().filter(s -> !retired.contains(s.version())).toList();
    }
}
