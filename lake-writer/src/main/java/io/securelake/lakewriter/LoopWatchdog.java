package io.securelake.lakewriter;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Reports when the writer's loop stops advancing for longer than a threshold, with where its thread is,
 * and again when it advances. Reports come from the watchdog's own thread: {@code report} must be thread-safe. Every wait in the loop is bounded (poll, roll, HDFS and Kafka timeouts), so a
 * long stall is a fault worth seeing: a benchmark once showed batches held 16 s past their roll interval,
 * and nothing in any log said where the writer was.
 */
final class LoopWatchdog implements AutoCloseable {
    private static final int FRAMES = 15;

    private final Thread watched;
    private final long thresholdNanos;
    private final WriterListener report;
    private final ScheduledExecutorService timer;
    private volatile long lastBeatNanos = System.nanoTime();
    /** Only touched by the timer thread. */
    private boolean stalled;

    LoopWatchdog(Thread watched, Duration threshold, WriterListener report) {
        this.watched = watched;
        this.thresholdNanos = threshold.toNanos();
        this.report = report;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, watched.getName() + "-watchdog");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, threshold.toMillis() / 5);
        timer.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    /** The loop made progress. */
    void beat() {
        lastBeatNanos = System.nanoTime();
    }

    private void check() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule: the watchdog must outlive one bad check.
            org.slf4j.LoggerFactory.getLogger(LoopWatchdog.class).warn("watchdog check failed: {}", e.toString());
        }
    }

    private void checkNow() {
        long since = System.nanoTime() - lastBeatNanos;
        if (since >= thresholdNanos && !stalled) {
            stalled = true;
            report.on(new WriterEvent.Stalled(since / 1_000_000, Arrays.stream(watched.getStackTrace()).limit(FRAMES)
                    .map(StackTraceElement::toString).collect(Collectors.joining(" <- "))));
        } else if (since < thresholdNanos && stalled) {
            stalled = false;
            report.on(new WriterEvent.Advancing());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
