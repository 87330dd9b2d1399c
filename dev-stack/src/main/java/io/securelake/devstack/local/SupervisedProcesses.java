package io.securelake.devstack.local;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** What a {@link StackSupervisor} keeps running: a fixed set of named child processes, started in order. */
interface SupervisedProcesses {
    /** The children's names, in start order. */
    List<String> children();

    /** The children that run now, by name (whoever started them). */
    Map<String, ProcessHandle> live();

    /**
     * Starts those of {@code wanted} that do not run, and whatever they need (possibly more than {@code wanted}),
     * telling {@code started} of each process as soon as it is spawned. Returns once all are ready; throws when one
     * could not be started (the processes already told of may run, or have ended).
     */
    void start(Set<String> wanted, Consumer<String> progress, BiConsumer<String, Process> started);

    /**
     * When {@code child}'s process {@code pid} last showed it works (a heartbeat, such as a status file it rewrites
     * every few seconds); empty when the child gives none, and is then watched for its exit only.
     */
    Optional<Instant> lastSignOfLife(String child, long pid);

    /** Stops every child, in reverse order; true if any ran. */
    boolean stopAll(Duration grace, Consumer<String> progress);
}
