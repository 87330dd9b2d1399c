package io.securelake.knox;

import java.util.Set;

/** The Knox service roles a securelake topology exposes (the {@code service} resource of Ranger's knox policies). */
public final class KnoxServices {
    public static final String HIVE = "HIVE";
    public static final String WEBHDFS = "WEBHDFS";
    public static final Set<String> ALL = Set.of(HIVE, WEBHDFS);

    private KnoxServices() {
    }
}
