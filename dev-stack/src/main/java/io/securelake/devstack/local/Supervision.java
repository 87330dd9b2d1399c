package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.supervision.SupervisedChild;
import io.securelake.contracts.supervision.SupervisionStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What {@code status} knows of the stack's supervisor: whether it runs, and what it last reported.
 *
 * @param running whether the supervisor recorded for the stack is alive
 * @param report  its report, when it runs and has written one
 */
public record Supervision(boolean running, Optional<SupervisionStatus> report) {

    /** Why the stack is not kept running, when it is not; empty when a supervisor watches it. */
    public Optional<String> problem(String environment) {
        if (!running) {
            return Optional.of("no supervisor runs: a process that ends is not started again; run 'securelake up --env "
                    + environment + "'");
        }
        return report.map(SupervisionStatus::problem);
    }

    public Optional<SupervisedChild> child(String name) {
        return report.flatMap(r -> r.child(name));
    }

    /** The child's supervision in {@code status --json}: state, restarts, uptime, last exit, next start, problem. */
    static void putChild(SupervisedChild c, ObjectNode to, Instant now) {
        ObjectNode s = to.putObject("supervision");
        s.put("state", c.state().wire());
        s.put("restarts", c.restarts());
        if (c.pid() != null) {
            s.put("pid", c.pid());
        }
        if (c.upSince() != null) {
            s.put("up_since", c.upSince().toString());
            s.put("uptime_seconds", Math.max(0, Duration.between(c.upSince(), now).toSeconds()));
        }
        if (c.lastExit() != null) {
            ObjectNode e = s.putObject("last_exit");
            e.put("at", c.lastExit().at().toString());
            e.put("pid", c.lastExit().pid());
            if (c.lastExit().exitCode() != null) {
                e.put("exit_code", c.lastExit().exitCode());
            }
            e.put("cause", c.lastExit().cause());
        }
        if (c.nextStartAt() != null) {
            s.put("next_start_at", c.nextStartAt().toString());
        }
        if (c.problem() != null) {
            s.put("problem", c.problem());
        }
    }
}
