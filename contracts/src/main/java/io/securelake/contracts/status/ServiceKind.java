package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The services that report themselves in a status file, each with what it reports ({@link ServiceFigures}). */
public enum ServiceKind {
    LAKE_WRITER("lake-writer", "status.json"),
    QUERY_SERVER("query-server", "status.json"),
    /** The gateway's status exists only while it serves (removed when it stops), hence its name. */
    GATEWAY("gateway", "ready.json");

    private final String wire;
    private final String statusFileName;

    ServiceKind(String wire, String statusFileName) {
        this.wire = wire;
        this.statusFileName = statusFileName;
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
