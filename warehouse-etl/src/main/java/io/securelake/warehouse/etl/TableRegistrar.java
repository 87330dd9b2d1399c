package io.securelake.warehouse.etl;

import io.securelake.warehouse.query.HiveEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Registers a model's tables in the environment's metastore by talking HiveServer2 to the query server
 * as the ETL principal: the DDL passes the same Ranger policies (create, alter on the dataset's database)
 * and lands in the same audit trail as every other statement. Tables are external Parquet tables over
 * the files the job wrote; new partitions are recovered and cached file listings refreshed.
 */
final class TableRegistrar {
    private final HiveEndpoint endpoint;

    TableRegistrar(HiveEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** The statements for one database and its tables, in order. */
    static List<String> statements(String database, String databaseLocation, List<TableSpec> tables) {
        List<String> sql = new ArrayList<>();
        sql.add("CREATE DATABASE IF NOT EXISTS `" + database + "` LOCATION '" + databaseLocation + "'");
        for (TableSpec t : tables) {
            String name = "`" + database + "`.`" + t.name() + "`";
            sql.add("CREATE TABLE IF NOT EXISTS " + name + t.columns().map(c -> " (" + c + ")").orElse("")
                    + " USING parquet" + t.columns().flatMap(c -> t.partitionColumns()).map(p -> " PARTITIONED BY (" + p + ")").orElse("")
                    + " LOCATION '" + t.location() + "'");
            if (t.partitionColumns().isPresent()) {
                sql.add("ALTER TABLE " + name + " RECOVER PARTITIONS");
            }
            sql.add("REFRESH TABLE " + name);
        }
        return sql;
    }

    void register(String database, String databaseLocation, List<TableSpec> tables, Consumer<String> progress) {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("default"));
             Statement s = c.createStatement()) {
            for (String sql : statements(database, databaseLocation, tables)) {
                progress.accept("  " + sql);
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("registering the tables of " + database + " through "
                    + endpoint.displayUrl("default") + " failed: " + endpoint.scrub(e.getMessage()));
        }
    }
}
