package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The services that report themselves in a status file, each with what it reports ({@link ServiceFigures}). */
public enum ServiceKind {
    LAKE_WRITER("lake-writer", "lake-writer", "status.json"),
    QUERY_SERVER("query-server", "query", "status.json"),
    /** The gateway's status exists only while it serves (removed when it stops), hence its name. */
    GATEWAY("gateway", "knox", "ready.json");

    private final String wire;
    private final String stateDirName;
    private final String statusFileName;

    ServiceKind(String wire, String stateDirName, String statusFileName) {
        this.wire = wire;
        this.stateDirName = stateDirName;
        this.statusFileName = statusFileName;
    }

    /** The service's state directory in a local stack's home ({@code .securelake/<env>/<it>}); also its log's name. */
    public String stateDirName() {
        return stateDirName;
    }

    /** Where a local stack's service writes its status: {@code <stack home>/<state dir>/<status file>}. */
    public java.nio.file.Path statusFileIn(java.nio.file.Path stackHome) {
        return stackHome.resolve(stateDirName).resolve(statusFileName);
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The status file's name in the service's state directory. */
    public String statusFileName() {
        return statusFileName;
    }

    @JsonCreator
    public static ServiceKind of(String wire) {
        for (ServiceKind k : values()) {
            if (k.wire.equals(wire)) {
                return k;
            }
        }
        throw new IllegalArgumentException("'" + wire + "' is not a service (one of: "
                + Arrays.stream(values()).map(ServiceKind::wire).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return wire;
    }
}
