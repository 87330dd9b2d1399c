package io.securelake.devstack.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Which process {@code up} started (a core component, the lake-writer): its PID and start time. The start
 * time guards against stopping an unrelated process that later reused the PID.
 */
public record ProcessRecord(long pid, Instant started) {

    public static Optional<ProcessRecord> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            String[] parts = Files.readString(file).trim().split("\\s+");
            return Optional.of(new ProcessRecord(Long.parseLong(parts[0]), Instant.parse(parts[1])));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // removed between the check and the read: the process was stopped
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            return Optional.empty(); // unreadable record: treated as no process
        }
    }

    public static ProcessRecord of(ProcessHandle process) {
        return new ProcessRecord(process.pid(), process.info().startInstant().orElse(Instant.EPOCH));
    }

    public void write(Path file) {
        try {
            // whole or not at all (a reader never sees half a record), owner-only like everything directly in the
            // stack home, which the services' users may traverse
            io.securelake.contracts.files.DurableLocalFiles.writeAtomically(file,
                    (pid + " " + started + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    io.securelake.contracts.files.DurableLocalFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The live process this record names, if it still runs (and is the same process). */
    public Optional<ProcessHandle> live() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().startInstant().map(s -> s.equals(started)).orElse(true));
    }
}
