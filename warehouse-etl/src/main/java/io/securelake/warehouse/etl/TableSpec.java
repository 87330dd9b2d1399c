package io.securelake.warehouse.etl;

import java.util.Optional;

/**
 * A table a model writes: its name in the dataset's Hive database, where its files live, its partition
 * columns (empty for an unpartitioned table, rewritten whole on each run) and, for a table that may have
 * no files yet, its columns in DDL form (otherwise the schema is read from the files).
 */
public record TableSpec(String name, String location, Optional<String> partitionColumns, Optional<String> columns) {
    public TableSpec(String name, String location, Optional<String> partitionColumns) {
        this(name, location, partitionColumns, Optional.empty());
    }
}
