package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Contract;
import io.securelake.contracts.ContractCodec;
import io.securelake.contracts.Fields;
import io.securelake.contracts.files.DurableLocalFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What a long-running service of the stack says about itself in its status file ({@link ServiceKind#statusFileName()}
 * in its state directory), replaced atomically whenever it changes: the launcher waits on it for readiness
 * ({@code state: running} with the PID it started) and {@code securelake status} shows it. Build with
 * {@link #of(ServiceFigures)}.
 *
 * @param service   which service wrote it; must match the figures
 * @param state     one of the states a service reports ({@link ServiceState#reportedByService()})
 * @param pid       the process that wrote it
 * @param updatedAt when it was written
 * @param detail    why the state is what it is (e.g. degraded: since when HDFS is unreachable); null when there is
 *                  nothing to add
 * @param figures   what this kind of service reports
 */
public record ServiceStatus<F extends ServiceFigures>(
        @JsonProperty("service") ServiceKind service,
        @JsonProperty("environment") String environment,
        @JsonProperty("state") ServiceState state,
        @JsonProperty("pid") long pid,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("detail") String detail,
        @JsonProperty("figures") F figures) {

    /**
     * Version 2: common fields and the service's own under {@code figures}. Version 1 was the lake-writer's flat
     * document (no {@code service}, no {@code figures}); the query server and the gateway wrote none.
     */
    public static final int VERSION = 2;
    public static final Contract<ServiceStatus<LakeWriterFigures>> LAKE_WRITER = contract(LakeWriterFigures.class, "lake-writer");
    public static final Contract<ServiceStatus<QueryServerFigures>> QUERY_SERVER = contract(QueryServerFigures.class, "query-server");
    public static final Contract<ServiceStatus<GatewayFigures>> GATEWAY = contract(GatewayFigures.class, "gateway");

    private static <F extends ServiceFigures> Contract<ServiceStatus<F>> contract(Class<F> figures, String service) {
        return Contract.parametric(ServiceStatus.class, figures, service + " status", "status_version", VERSION);
    }

    public ServiceStatus {
        Fields.required(service, "service");
        Fields.nonBlank(environment, "environment");
        Fields.required(state, "state");
        if (!state.reportedByService()) {
            throw new Fields.InvalidField("state", "'" + state.wire() + "' is what the launcher observes, no service "
                    + "reports it");
        }
        Fields.pid(pid, "pid");
        Fields.required(startedAt, "started_at");
        Fields.required(updatedAt, "updated_at");
        Fields.nullOrNonBlank(detail, "detail");
        Fields.required(figures, "figures");
        if (figures.service() != service) {
            throw new Fields.InvalidField("figures", "are a " + figures.service() + "'s, the status is the " + service + "'s");
        }
    }

    /** Reads a service's status file; empty when there is none (not started yet, or removed at stop). */
    public static <F extends ServiceFigures> Optional<ServiceStatus<F>> readIfPresent(Path file, Contract<ServiceStatus<F>> contract) {
        return ContractCodec.readIfPresent(file, contract);
    }

    /**
     * Replaces the status file atomically and durably, owner-only: the state directory is the service's own, and the
     * gateway's carries a truststore password.
     */
    public void writeTo(Path file, Contract<ServiceStatus<F>> contract) {
        ContractCodec.write(file, contract, this, Optional.of(DurableLocalFiles.OWNER_ONLY));
    }

    public static <F extends ServiceFigures> Builder<F> of(F figures) {
        return new Builder<>(figures);
    }

    /** The status of this process ({@code pid}), updated now, unless said otherwise. */
    public static final class Builder<F extends ServiceFigures> {
        private final F figures;
        private String environment;
        private ServiceState state;
        private long pid = ProcessHandle.current().pid();
        private Instant startedAt;
        private Instant updatedAt = Instant.now();
        private String detail;

        private Builder(F figures) {
            this.figures = Fields.required(figures, "figures");
        }

        public Builder<F> environment(String v) {
            environment = v;
            return this;
        }

        public Builder<F> state(ServiceState v) {
            state = v;
            return this;
        }

        public Builder<F> pid(long v) {
            pid = v;
            return this;
        }

        public Builder<F> startedAt(Instant v) {
            startedAt = v;
            return this;
        }

        public Builder<F> updatedAt(Instant v) {
            updatedAt = v;
            return this;
        }

        public Builder<F> detail(String v) {
            detail = v;
            return this;
        }

        public ServiceStatus<F> build() {
            return new ServiceStatus<>(figures.service(), environment, state, pid, startedAt, updatedAt, detail, figures);
        }
    }
}
