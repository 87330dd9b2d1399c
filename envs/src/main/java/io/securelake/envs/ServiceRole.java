package io.securelake.envs;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The platform's own services. Each runs under its own principal per environment; a person never
 * shares a service's keytab.
 */
public enum ServiceRole {
    INGEST("ingest", "ingest"),
    LAKE_WRITER("lake-writer", "lakewriter"),
    ETL("etl", "etl"),
    GATEWAY("gateway", "knox"),
    /** The query server (Spark Thrift Server): reads the curated zone and decides for the end user. */
    QUERY("query", "query");

    private final String yamlName;
    private final String principalStem;

    ServiceRole(String yamlName, String principalStem) {
        this.yamlName = yamlName;
        this.principalStem = principalStem;
    }

    /** The key used in environment files, e.g. {@code lake-writer}. */
    public String yamlName() {
        return yamlName;
    }

    /** The middle part of the derived principal, e.g. {@code lakewriter} in {@code svc-lakewriter-dev}. */
    public String principalStem() {
        return principalStem;
    }

    public static Optional<ServiceRole> fromYamlName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.yamlName.equals(n)).findFirst();
    }
}
