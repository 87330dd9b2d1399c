package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The state of a service of the stack, as {@code securelake status} shows it. The first four are what a service
 * writes in its status file ({@link #reportedByService()}); the last three are what the launcher observes when no
 * live process reports, and no status file may hold them.
 */
public enum ServiceState {
    /** Started, not serving yet (the lake-writer before its first assignment). */
    STARTING("starting", true),
    /** Serving. The only healthy state. */
    RUNNING("running", true),
    /** Alive but impaired, retrying (the lake-writer while HDFS is unreachable); the detail says why. */
    DEGRADED("degraded", true),
    /** Stopped on request, its work committed (the lake-writer's last status). */
    STOPPED("stopped", true),
    /** Observed: no process was started, or it was stopped. */
    NOT_RUNNING("not running", false),
    /** Observed: a process was recorded but is gone (crashed or killed). */
    DIED("died", false),
    /** Observed: the live process's status file breaks its contract; the problem says how. */
    UNREADABLE("unreadable status", false);

    private final String wire;
    private final boolean reportedByService;

    ServiceState(String wire, boolean reportedByService) {
        this.wire = wire;
        this.reportedByService = reportedByService;
    }

    /** As written in status files and printed by {@code securelake status}. */
    @JsonValue
    public String wire() {
        return wire;
    }

    public boolean reportedByService() {
        return reportedByService;
    }

    public boolean healthy() {
        return this == RUNNING;
    }

    /** The state written as {@code wire}; anything else is refused, naming the states there are. */
    @JsonCreator
    public static ServiceState of(String wire) {
        for (ServiceState s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + wire + "' is not a service state (one of: "
                + Arrays.stream(values()).map(ServiceState::wire).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return wire;
    }
}
