package io.securelake.devstack.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Follows the supervisor's log from where it stood, passing on its progress lines ({@link SupervisorProcess#PROGRESS})
 * as they are completed: {@code up} and {@code down} show what the supervisor does in the background.
 */
final class LogFollower {
    private final Path log;
    private long offset;
    private final StringBuilder partial = new StringBuilder();

    private LogFollower(Path log, long offset) {
        this.log = log;
        this.offset = offset;
    }

    /** Follows what is appended to {@code log} from now on. */
    static LogFollower fromEnd(Path log) {
        try {
            return new LogFollower(log, Files.exists(log) ? Files.size(log) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** Passes on the progress lines completed since the last call. */
    void relay(Consumer<String> progress) {
        if (!Files.exists(log)) {
            return;
        }
        try (FileChannel in = FileChannel.open(log, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < offset) {
                offset = 0; // the log was replaced
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - offset, 1 << 20));
            in.read(buffer, offset);
            offset += buffer.position();
            partial.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
        int end;
        while ((end = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, end);
            partial.delete(0, end + 1);
            int marker = line.indexOf(SupervisorProcess.PROGRESS);
            if (marker >= 0) {
                progress.accept(line.substring(marker + SupervisorProcess.PROGRESS.length()));
            }
        }
    }
}
