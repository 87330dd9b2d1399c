package io.securelake.contracts.supervision;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Fields;
import java.time.Instant;

/**
 * One child process of the stack as its supervisor reports it.
 *
 * @param name        which child: a {@link CoreComponent}'s name, {@code lake-writer}, {@code query}, {@code knox}
 * @param state       where the supervisor stands with it
 * @param pid         its current process; null while none runs
 * @param upSince     when its current process became ready (its uptime starts there); null while none runs
 * @param restarts    how many times the supervisor started it again after it ended
 * @param lastExit    how its previous process ended; null when none has
 * @param nextStartAt when it is started again ({@link ChildState#BACKING_OFF}); null otherwise
 * @param problem     why it is not running ({@link ChildState#FAILED}, or a start that failed); null otherwise
 */
public record SupervisedChild(
        @JsonProperty("name") String name,
        @JsonProperty("state") ChildState state,
        @JsonProperty("pid") Long pid,
        @JsonProperty("up_since") Instant upSince,
        @JsonProperty("restarts") int restarts,
        @JsonProperty("last_exit") ChildExit lastExit,
        @JsonProperty("next_start_at") Instant nextStartAt,
        @JsonProperty("problem") String problem) {

    public SupervisedChild {
        Fields.nonBlank(name, "name");
        Fields.required(state, "state");
        if (pid != null) {
            Fields.pid(pid, "pid");
        }
        Fields.notNegative(restarts, "restarts");
        Fields.nullOrNonBlank(problem, "problem");
        if (state == ChildState.RUNNING && (pid == null || upSince == null)) {
            throw new Fields.InvalidField("pid", "a running child has a pid and an up_since");
        }
        if (state == ChildState.BACKING_OFF && nextStartAt == null) {
            throw new Fields.InvalidField("next_start_at", "a child backing off has a time it is started again");
        }
        if (state == ChildState.FAILED && problem == null) {
            throw new Fields.InvalidField("problem", "a failed child says why");
        }
    }
}
