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
    /**
     * {@code COMMITTED <topic>-<partition> [<first>, <last>] files=… records=…}, as LakeWriter reports it (a child
     * process prefixes its time).
     */
    private static final Pattern RANGE = Pattern.compile("(?:^| )COMMITTED (\\S+)-(\\d+) \\[(\\d+), (\\d+)\\] files=\\d+ records=(\\d+) ");
    private final List<String> lines = new ArrayList<>();
    private long committedRecords;
    private long committedQuarantined;
    private boolean ended;

    synchronized void accept(String line) {
        lines.add(line);
        if (line.startsWith("STOPPED") || line.contains(" STOPPED")) {
            // The writer's loop has ended and it reports nothing more: a wait for anything else fails now,
            // with the lines that led here, instead of at its deadline.
            ended = true;
        }
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

    /** One committed range, from a {@code COMMITTED} line. */
    record Range(String topic, int partition, long first, long last, long records) {
    }

    /** The ranges committed for {@code topic}, in the order they were committed. */
    synchronized List<Range> committed(String topic) {
        List<Range> out = new ArrayList<>();
        for (String l : lines) {
            Matcher m = RANGE.matcher(l);
            if (m.find() && m.group(1).equals(topic)) {
                out.add(new Range(topic, Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                        Long.parseLong(m.group(5))));
            }
        }
        return out;
    }

    /** Events committed for {@code topic} (the other topics' commits are not counted). */
    synchronized long committedRecords(String topic) {
        return committed(topic).stream().mapToLong(Range::records).sum();
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
