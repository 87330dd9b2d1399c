package io.securelake.warehouse.authz;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A resource of Ranger's hive service definition, in its hierarchy order: {@code database → table →
 * column}, {@code database → udf}, or {@code url}. Names are lower-cased as the Hive metastore keeps them.
 */
record HiveResource(String database, String table, String column, String udf, String url) {

    static HiveResource database(String database) {
        return new HiveResource(lower(database), null, null, null, null);
    }

    static HiveResource table(String database, String table) {
        return new HiveResource(lower(database), lower(table), null, null, null);
    }

    static HiveResource column(String database, String table, String column) {
        return new HiveResource(lower(database), lower(table), lower(column), null, null);
    }

    static HiveResource udf(String database, String function) {
        return new HiveResource(lower(database), null, null, lower(function), null);
    }

    static HiveResource url(String url) {
        return new HiveResource(null, null, null, null, Objects.requireNonNull(url, "url"));
    }

    HiveResource withColumn(String column) {
        return column(database, table, column);
    }

    HiveResource tableOnly() {
        return table(database, table);
    }

    /** The resource map the engine matches, keys as in the service definition. */
    Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        if (url != null) {
            m.put("url", url);
            return m;
        }
        m.put("database", database);
        if (udf != null) {
            m.put("udf", udf);
        }
        if (table != null) {
            m.put("table", table);
        }
        if (column != null) {
            m.put("column", column);
        }
        return m;
    }

    /** As users read it in messages: {@code payments_dev/fact_payment/card_number}. */
    String display() {
        if (url != null) {
            return url;
        }
        StringBuilder sb = new StringBuilder(database);
        if (udf != null) {
            sb.append('/').append(udf);
        }
        if (table != null) {
            sb.append('/').append(table);
        }
        if (column != null) {
            sb.append('/').append(column);
        }
        return sb.toString();
    }

    private static String lower(String s) {
        return Objects.requireNonNull(s, "name").toLowerCase(java.util.Locale.ROOT);
    }
}
