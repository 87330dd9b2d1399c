package io.securelake.devstack.local;

import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The environment's lake-writer as its own background process (restartable on its own), started by
 * {@code up} once the core is ready. Its readiness and figures come from the status file it replaces
 * atomically every few seconds.
 */
final class LakeWriterService {
    static final String MAIN = "io.securelake.lakewriter.LakeWriterMain";

    private final Environment env;
    private final PolicyEnforcement layout;
    private final StackHome home;
    private final ChildService<LakeWriterFigures> service;

    LakeWriterService(Environment env, PolicyEnforcement layout, StackHome home) {
        this.env = env;
        this.layout = layout;
        this.home = home;
        this.service = new ChildService<>(ServiceKind.LAKE_WRITER, home, ServiceStatus.LAKE_WRITER);
    }

    String name() {
        return service.name();
    }

    Path log() {
        return service.log();
    }

    Optional<ProcessHandle> live() {
        return service.live();
    }

    boolean recordedButDead() {
        return service.recordedButDead();
    }

    /** Starts the writer and waits until it reports {@code running}. */
    Process start(Duration timeout, Consumer<Process> spawned) {
        return service.start(() -> ChildJvm.start(List.of("-Xmx384m", "-XX:+UseSerialGC"), MAIN,
                List.of("--env", env.name(), "--envs-dir", layout.envsDir().toString(),
                        "--endpoints", home.endpointsFile().toString(), "--state-dir", service.stateDir().toString(),
                        "--schemas-dir", layout.envsDir().resolve("schemas").toString(),
                        "--set", "roll.interval.ms=" + env.lakeWriter().rollInterval().toMillis()), service.log()), timeout, spawned);
    }

    /** Its status file, when there is one. */
    Optional<ServiceStatus<LakeWriterFigures>> status() {
        return service.status();
    }

    boolean stop(Duration grace) {
        return service.stop(grace);
    }

    /** Its reported status and figures, or what is observed instead (no isolation: it runs as the user of 'up'). */
    ServiceReport<LakeWriterFigures> report() {
        return service.report(false);
    }
}
