package io.securelake.warehouse.authz;

import java.util.Optional;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.datasources.LogicalRelation;

/** The plan leaves that read a metastore table, and the table they read. */
final class Relations {
    private Relations() {
    }

    /** The table a leaf scans: a Hive table, or a data source table (Parquet, converted Hive Parquet…). */
    static Optional<CatalogTable> catalogTable(LogicalPlan node) {
        if (node instanceof HiveTableRelation h) {
            return Optional.of(h.tableMeta());
        }
        if (node instanceof LogicalRelation l) {
            return Scala.opt(l.catalogTable());
        }
        return Optional.empty();
    }

    static boolean isTableScan(LogicalPlan node) {
        return catalogTable(node).isPresent();
    }

    static HiveResource resource(CatalogTable table, String currentDatabase) {
        return HiveResource.table(Scala.opt(table.identifier().database()).orElse(currentDatabase),
                table.identifier().table());
    }
}
