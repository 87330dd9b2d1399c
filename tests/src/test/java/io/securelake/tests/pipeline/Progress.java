package io.securelake.tests.pipeline;

import io.securelake.lakewriter.WriterEvent;
import io.securelake.lakewriter.WriterEventText;
import io.securelake.lakewriter.WriterListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A writer's progress as typed events, and waits on them: woken by each new event, no sleeping, a timeout on every
 * wait. An in-process writer reports to it directly (it is a {@link WriterListener}); a child process's stdout lines
 * are parsed by {@link WriterEventText}, the writer's own definition of them, so no test knows their format.
 */
final class Progress implements WriterListener {
    private final List<WriterEvent> events = new ArrayList<>();
    /** Every line: as the child printed it, or as the in-process writer's event renders. For diagnosis. */
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    @Override
    public synchronized void on(WriterEvent event) {
        lines.add(WriterEventText.render(event));
        record(event);
    }

    /** A line of a writer process's stdout; lines that report no event are kept for diagnosis only. */
    synchronized void acceptLine(String line) {
        lines.add(line);
        WriterEventText.parse(line).ifPresent(this::record);
        notifyAll();
    }

    private void record(WriterEvent event) {
        events.add(event);
        if (event instanceof WriterEvent.Stopped) {
            // The writer's loop has ended and it reports nothing more: a wait for anything else fails now,
            // with the lines that led here, instead of at its deadline.
            ended = true;
        }
        notifyAll();
    }

    /** The stream ended (the process's stdout closed). */
    synchronized void end() {
        ended = true;
        notifyAll();
    }

    synchronized <T extends WriterEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    synchronized long count(Class<? extends WriterEvent> type) {
        return events.stream().filter(type::isInstance).count();
    }

    synchronized <T extends WriterEvent> long count(Class<T> type, Predicate<? super T> which) {
        return events(type).stream().filter(which).count();
    }

    /** Batches committed, of every topic, in the order they were committed. */
    synchronized List<WriterEvent.BatchCommitted> committed() {
        return events(WriterEvent.BatchCommitted.class);
    }

    /** The batches committed for {@code topic}, in the order they were committed. */
    synchronized List<WriterEvent.BatchCommitted> committed(String topic) {
        return committed().stream().filter(c -> c.partition().topic().equals(topic)).toList();
    }

    synchronized long committedRecords() {
        return committed().stream().mapToLong(WriterEvent.BatchCommitted::events).sum();
    }

    synchronized long committedQuarantined() {
        return committed().stream().mapToLong(WriterEvent.BatchCommitted::quarantined).sum();
    }

    /** Events committed for {@code topic} (the other topics' commits are not counted). */
    synchronized long committedRecords(String topic) {
        return committed(topic).stream().mapToLong(WriterEvent.BatchCommitted::events).sum();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
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
            // Woken by every new event; also re-checks at least every 500 ms, for conditions on real state.
            wait(Math.max(1, Math.min(500, left / 1_000_000)));
        }
    }
}
