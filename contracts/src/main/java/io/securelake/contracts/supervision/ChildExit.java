package io.securelake.contracts.supervision;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Fields;
import java.time.Instant;

/**
 * How a child process of the stack ended, as its supervisor saw it.
 *
 * @param at       when the supervisor noticed the exit
 * @param pid      the process that ended
 * @param exitCode its exit status when the supervisor is its parent; null when it is not (a process adopted from an
 *                 earlier supervisor: the kernel tells only the parent)
 * @param cause    the exit in words: "killed by signal 9 (SIGKILL)", "exited with code 1", "stopped by the
 *                 supervisor: …"
 */
public record ChildExit(
        @JsonProperty("at") Instant at,
        @JsonProperty("pid") long pid,
        @JsonProperty("exit_code") Integer exitCode,
        @JsonProperty("cause") String cause) {

    public ChildExit {
        Fields.required(at, "at");
        Fields.pid(pid, "pid");
        Fields.nonBlank(cause, "cause");
    }

    /**
     * The cause of an exit status as the JVM reports a child's: 128 + n for a child killed by signal n (the JVM's
     * process reaper follows the shell's convention), the code otherwise.
     */
    public static String describe(int exitCode) {
        if (exitCode > 128 && exitCode < 160) {
            int signal = exitCode - 128;
            return "killed by signal " + signal + signalName(signal);
        }
        return exitCode == 0 ? "exited normally (code 0)" : "exited with code " + exitCode;
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 1 -> " (SIGHUP)";
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }
}
