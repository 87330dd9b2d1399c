package io.securelake.warehouse.etl;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How one dataset's raw events become its Hive tables. {@link EtlJob} feeds it every raw event of the
 * time partitions ({@code dt}) that received new files since the last successful run; the model
 * rewrites exactly those partitions of its partitioned tables and recomputes its state tables, so a
 * run is idempotent: re-running it, or running it again after a crash, gives the same tables.
 */
public interface DatasetModel {

    /** The dataset this model reads, as named in the environment definition. */
    String dataset();

    /**
     * Writes the tables for the given raw events (classified fields still ciphertext) and returns what it did.
     *
     * @param raw        every raw event of the affected {@code dt} partitions
     * @param curatedDir the dataset's curated directory (tables live in sub-directories)
     */
    List<TableResult> write(ModelContext context, Dataset<Row> raw);

    /** Tables to register in the dataset's database after {@link #write}. */
    List<TableSpec> tables(String curatedDir);
}
