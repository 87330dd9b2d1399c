package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.contracts.status.ServiceFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import java.util.Optional;

/**
 * What the launcher knows of one service: the status its live process reports, or what it observes instead (not
 * running, died, or a status file that breaks its contract), with how the service is isolated where that applies.
 *
 * @param reported  the live process's own status (its PID matched); empty when {@code state} is observed
 * @param isolation the service's observed isolation ({@link Isolation#toJson()} plus {@code process_uid}); only for
 *                  the services people reach
 * @param problem   why the status file could not be read ({@link ServiceState#UNREADABLE})
 */
public record ServiceReport<F extends ServiceFigures>(ServiceState state, Optional<ServiceStatus<F>> reported,
                                                      Optional<ObjectNode> isolation, Optional<String> problem) {

    static <F extends ServiceFigures> ServiceReport<F> reported(ServiceStatus<F> status, Optional<ObjectNode> isolation) {
        return new ServiceReport<>(status.state(), Optional.of(status), isolation, Optional.empty());
    }

    static <F extends ServiceFigures> ServiceReport<F> observed(ServiceState state) {
        return new ServiceReport<>(state, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static <F extends ServiceFigures> ServiceReport<F> unreadable(String problem, Optional<ObjectNode> isolation) {
        return new ServiceReport<>(ServiceState.UNREADABLE, Optional.empty(), isolation, Optional.of(problem));
    }

    public boolean healthy() {
        return state.healthy();
    }

    /** The reported figures, when the live process reported. */
    public Optional<F> figures() {
        return reported.map(ServiceStatus::figures);
    }
}
