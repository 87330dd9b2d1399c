package io.securelake.contracts.supervision;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Contract;
import io.securelake.contracts.ContractCodec;
import io.securelake.contracts.Fields;
import io.securelake.contracts.files.DurableLocalFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the supervisor of a local stack says about the processes it keeps running, in {@value #FILE_NAME} of the
 * stack's home, replaced atomically at every change. {@code securelake up} waits on it ({@code ready} with the
 * supervisor's PID) and {@code securelake status} shows it: each child's restarts, last exit and uptime.
 *
 * @param environment   the stack's environment
 * @param supervisorPid the supervisor's process
 * @param startedAt     when the supervisor started
 * @param updatedAt     when this was written
 * @param ready         true once every child was started once (later deaths do not take it back)
 * @param stopping      true once the supervisor stops the stack ({@code down})
 * @param problem       why the stack could not be started at all; null otherwise
 * @param children      in start order: the core's components first
 */
public record SupervisionStatus(
        @JsonProperty("environment") String environment,
        @JsonProperty("supervisor_pid") long supervisorPid,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("ready") boolean ready,
        @JsonProperty("stopping") boolean stopping,
        @JsonProperty("problem") String problem,
        @JsonProperty("children") List<SupervisedChild> children) {

    public static final String FILE_NAME = "supervision.json";
    public static final Contract<SupervisionStatus> CONTRACT = Contract.of(SupervisionStatus.class, "supervision status",
            "supervision_version", 1);

    public SupervisionStatus {
        Fields.nonBlank(environment, "environment");
        Fields.pid(supervisorPid, "supervisor_pid");
        Fields.required(startedAt, "started_at");
        Fields.required(updatedAt, "updated_at");
        Fields.nullOrNonBlank(problem, "problem");
        children = List.copyOf(Fields.required(children, "children"));
    }

    public Optional<SupervisedChild> child(String name) {
        return children.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    public static Optional<SupervisionStatus> readIfPresent(Path file) {
        return ContractCodec.readIfPresent(file, CONTRACT);
    }

    /** Atomically and owner-only, like everything directly in the stack's home. */
    public void writeTo(Path file) {
        ContractCodec.write(file, CONTRACT, this, Optional.of(DurableLocalFiles.OWNER_ONLY));
    }
}
