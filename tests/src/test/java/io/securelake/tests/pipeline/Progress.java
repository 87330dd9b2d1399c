package io.securelake.tests.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects a writer's progress lines (in-process callback or a child's stdout) and lets a test wait for a
 * condition on them, woken by each new line: no sleeping, a timeout on every wait.
 */
final class Progress {
    private static final Pattern COMMITTED = Pattern.compile("COMMITTED .* records=(\\d+) quarantined=(\\d+)");
    private final List<String> lines = new ArrayList<>();
    private long committedRecords;
    private long committedQuarantined;
    private boolean ended;

    synchronized void accept(String line) {
        lines.add(line);
        Matcher m = COMMITTED.matcher(line);
        if (m.find()) {
            committedRecords += Long.parseLong(m.group(1));
            committedQuarantined += Long.parseLong(m.group(2));
        }
        notifyAll();
    }

    /** The stream ended (the process's stdout closed). */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    synchronized long committedRecords() {
        return committedRecords;
    }

    synchronized long committedQuarantined() {
        return committedQuarantined;
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized long count(String prefix) {
        return lines.stream().filter(l -> l.contains(prefix)).count();
    }

    /** Waits until {@code condition} holds; fails with the last lines if it does not within the timeout. */
    synchronized void await(String what, Duration timeout, Predicate<Progress> condition)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || ended) {
                throw new TimeoutException((ended ? "stream ended" : "timed out") + " waiting for " + what
                        + "; last lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            }
            // Woken by every new line; also re-checks at least every 500 ms, for conditions on real state.
            wait(Math.max(1, Math.min(500, left / 1_000_000)));
        }
    }
}
