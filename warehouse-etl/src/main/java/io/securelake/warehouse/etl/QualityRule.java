package io.securelake.warehouse.etl;

/**
 * A data-quality rule of a table: rows for which {@code condition} (Spark SQL) is not true go to the
 * quarantine table with the rule's name and reason instead of the table.
 */
public record QualityRule(String name, String condition, String reason) {
}
