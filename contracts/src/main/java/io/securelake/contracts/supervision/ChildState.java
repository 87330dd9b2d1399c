package io.securelake.contracts.supervision;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Where the supervisor stands with one child process of the stack. */
public enum ChildState {
    /** Being started, not ready yet. */
    STARTING("starting"),
    /** Started and ready; watched. */
    RUNNING("running"),
    /** Died; waiting out its backoff before the next start ({@code next_start_at}). */
    BACKING_OFF("backing off"),
    /** Died too often in too short a time: not restarted until someone runs {@code up}; the problem says why. */
    FAILED("failed"),
    /** Stopped on request ({@code down}). */
    STOPPED("stopped");

    private final String wire;

    ChildState(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** Whether the child serves: only {@link #RUNNING}. */
    public boolean healthy() {
        return this == RUNNING;
    }

    @JsonCreator
    public static ChildState of(String wire) {
        for (ChildState s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("'" + wire + "' is not a supervised child's state (one of: "
                + Arrays.stream(values()).map(ChildState::wire).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return wire;
    }
}
