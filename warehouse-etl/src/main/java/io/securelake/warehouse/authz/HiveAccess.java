package io.securelake.warehouse.authz;

/** Access types of Ranger's hive service definition, plus the engine's "any access" marker. */
final class HiveAccess {
    static final String SELECT = "select";
    static final String UPDATE = "update";
    static final String CREATE = "create";
    static final String DROP = "drop";
    static final String ALTER = "alter";
    static final String READ = "read";
    static final String WRITE = "write";
    /** Ranger's {@code _any}: allowed when any access type is allowed on the resource (Hive's USE, SHOW). */
    static final String ANY = "_any";

    private HiveAccess() {
    }

    /** The access type as a message shows it ({@code _any} reads "any"). */
    static String display(String access) {
        return ANY.equals(access) ? "any" : access;
    }
}
