package io.securelake.lakewriter;

import io.securelake.lakewriter.WriterEvent.Advancing;
import io.securelake.lakewriter.WriterEvent.Assigned;
import io.securelake.lakewriter.WriterEvent.BatchCommitted;
import io.securelake.lakewriter.WriterEvent.CommitTimings;
import io.securelake.lakewriter.WriterEvent.Fenced;
import io.securelake.lakewriter.WriterEvent.Lost;
import io.securelake.lakewriter.WriterEvent.OutageCause;
import io.securelake.lakewriter.WriterEvent.OutageEnded;
import io.securelake.lakewriter.WriterEvent.OutageStarted;
import io.securelake.lakewriter.WriterEvent.Quarantined;
import io.securelake.lakewriter.WriterEvent.RecoveryCompleted;
import io.securelake.lakewriter.WriterEvent.Revoked;
import io.securelake.lakewriter.WriterEvent.Running;
import io.securelake.lakewriter.WriterEvent.Stalled;
import io.securelake.lakewriter.WriterEvent.Stopped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * The writer's progress lines: the one definition of their text. {@link LakeWriterMain} prints
 * {@link #line(Instant, WriterEvent)} for each event; whoever only sees a writer process's output (the pipeline
 * tests' child processes, an operator's grep) reads it back with {@link #parse(String)}. Each event is one line:
 * line breaks inside a message become spaces.
 *
 * <pre>
 *   RUNNING as svc-lakewriter-dev@DEV.SECURELAKE.LOCAL writer=k2x9 topics=[dev.raw.customer_preferences, dev.raw.payments]
 *   ASSIGNED dev.raw.payments-0            REVOKED dev.raw.payments-0            LOST dev.raw.payments-0
 *   RECOVERED dev.raw.payments-0 next=4200 (or next=beginning)
 *   COMMITTED dev.raw.payments-0 [4200, 5199] files=2 records=999 quarantined=1 ms=110 close=31 manifest=40 apply=30 prune=9
 *   QUARANTINED dev.raw.payments-0 offset=4711: not the event magic byte
 *   FENCED dev.raw.payments-0: offsets from 4200 were committed by another writer; dropping this writer's batch [4200, 4300]
 *   HDFS UNAVAILABLE: Connection refused          HDFS AVAILABLE again after 12 s
 *   FAILED java.lang.IllegalStateException: …; abandoning open batches, recovering from the raw zone after a backoff
 *   RESUMED after 3 s
 *   STALLED the writer loop has not advanced for 5001 ms; its thread is at …      ADVANCING the writer loop moves again
 *   STOPPED (or STOPPED after org.apache.kafka.common.errors.FencedInstanceIdException: …)
 * </pre>
 */
public final class WriterEventText {

    private static final String FAILED_TAIL = "; abandoning open batches, recovering from the raw zone after a backoff";
    private static final String FENCED_TEXT = "offsets from %d were committed by another writer; dropping this writer's batch [%d, %d]";
    private static final Pattern TIME_PREFIX = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\S*Z (.*)");
    private static final Pattern LINE_BREAKS = Pattern.compile("\\R");

    private WriterEventText() {
    }

    /** The event's line, without a time. */
    public static String render(WriterEvent event) {
        if (event instanceof Running e) {
            return "RUNNING as " + e.principal() + " writer=" + e.writerId() + " topics=" + e.topics();
        } else if (event instanceof Assigned e) {
            return "ASSIGNED " + e.partition();
        } else if (event instanceof Revoked e) {
            return "REVOKED " + e.partition();
        } else if (event instanceof Lost e) {
            return "LOST " + e.partition();
        } else if (event instanceof RecoveryCompleted e) {
            return "RECOVERED " + e.partition() + " next=" + (e.nextOffset() >= 0 ? Long.toString(e.nextOffset()) : "beginning");
        } else if (event instanceof BatchCommitted e) {
            CommitTimings t = e.timings();
            return "COMMITTED " + e.partition() + " [" + e.firstOffset() + ", " + e.lastOffset() + "] files=" + e.files()
                    + " records=" + e.events() + " quarantined=" + e.quarantined()
                    + String.format(" ms=%d close=%d manifest=%d apply=%d prune=%d", t.totalMs(), t.closeMs(), t.manifestMs(),
                    t.applyMs(), t.pruneMs());
        } else if (event instanceof Quarantined e) {
            return "QUARANTINED " + e.partition() + " offset=" + e.offset() + ": " + oneLine(e.reason());
        } else if (event instanceof Fenced e) {
            return "FENCED " + e.partition() + ": " + String.format(FENCED_TEXT, e.firstOffset(), e.firstOffset(), e.lastOffset());
        } else if (event instanceof OutageStarted e) {
            return e.cause() == OutageCause.HDFS ? "HDFS UNAVAILABLE: " + oneLine(e.error())
                    : "FAILED " + oneLine(e.error()) + FAILED_TAIL;
        } else if (event instanceof OutageEnded e) {
            return e.cause() == OutageCause.HDFS ? "HDFS AVAILABLE again after " + e.seconds() + " s"
                    : "RESUMED after " + e.seconds() + " s";
        } else if (event instanceof Stalled e) {
            return "STALLED the writer loop has not advanced for " + e.millis() + " ms; its thread is at " + oneLine(e.where());
        } else if (event instanceof WriterEvent.Advancing) {
            return "ADVANCING the writer loop moves again";
        } else if (event instanceof Stopped e) {
            return e.cause().map(c -> "STOPPED after " + oneLine(c)).orElse("STOPPED");
        }
        throw new IllegalArgumentException("no text for " + event.getClass().getName());
    }

    /** The line as a writer process prints it: {@code <ISO-8601 instant> <event>}. */
    public static String line(Instant at, WriterEvent event) {
        return at + " " + render(event);
    }

    /** A line of a writer's output (with or without its leading time) as the event it reports; empty for any other line. */
    public static Optional<WriterEvent> parse(String line) {
        Matcher timed = TIME_PREFIX.matcher(line);
        String text = timed.matches() ? timed.group(1) : line;
        for (Form form : FORMS) {
            Matcher m = form.pattern.matcher(text);
            if (m.matches()) {
                return Optional.of(form.event.apply(m));
            }
        }
        return Optional.empty();
    }

    private static String oneLine(String text) {
        return LINE_BREAKS.matcher(String.valueOf(text)).replaceAll(" ");
    }

    private record Form(Pattern pattern, Function<Matcher, WriterEvent> event) {
        Form(String regex, Function<Matcher, WriterEvent> event) {
            this(Pattern.compile(regex), event);
        }
    }

    private static final String TP = "(\\S+-\\d+)";

    private static final List<Form> FORMS = List.of(
            new Form("RUNNING as (\\S+) writer=(\\S+) topics=\\[(.*)\\]", m -> new Running(m.group(1), m.group(2),
                    m.group(3).isEmpty() ? List.of() : Arrays.asList(m.group(3).split(", ")))),
            new Form("ASSIGNED " + TP, m -> new Assigned(partition(m.group(1)))),
            new Form("REVOKED " + TP, m -> new Revoked(partition(m.group(1)))),
            new Form("LOST " + TP, m -> new Lost(partition(m.group(1)))),
            new Form("RECOVERED " + TP + " next=(\\d+|beginning)", m -> new RecoveryCompleted(partition(m.group(1)),
                    m.group(2).equals("beginning") ? -1 : Long.parseLong(m.group(2)))),
            new Form("COMMITTED " + TP + " \\[(\\d+), (\\d+)\\] files=(\\d+) records=(\\d+) quarantined=(\\d+)"
                    + " ms=(\\d+) close=(\\d+) manifest=(\\d+) apply=(\\d+) prune=(\\d+)",
                    m -> new BatchCommitted(partition(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                            Integer.parseInt(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                            new CommitTimings(Long.parseLong(m.group(7)), Long.parseLong(m.group(8)), Long.parseLong(m.group(9)),
                                    Long.parseLong(m.group(10)), Long.parseLong(m.group(11))))),
            new Form("QUARANTINED " + TP + " offset=(\\d+): (.*)", m -> new Quarantined(partition(m.group(1)),
                    Long.parseLong(m.group(2)), m.group(3))),
            new Form("FENCED " + TP + ": offsets from (\\d+) were committed by another writer; dropping this writer's batch "
                    + "\\[\\d+, (\\d+)\\]", m -> new Fenced(partition(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)))),
            new Form("HDFS UNAVAILABLE: (.*)", m -> new OutageStarted(OutageCause.HDFS, m.group(1))),
            new Form("FAILED (.*)" + Pattern.quote(FAILED_TAIL), m -> new OutageStarted(OutageCause.ERROR, m.group(1))),
            new Form("HDFS AVAILABLE again after (\\d+) s", m -> new OutageEnded(OutageCause.HDFS, Long.parseLong(m.group(1)))),
            new Form("RESUMED after (\\d+) s", m -> new OutageEnded(OutageCause.ERROR, Long.parseLong(m.group(1)))),
            new Form("STALLED the writer loop has not advanced for (\\d+) ms; its thread is at (.*)",
                    m -> new Stalled(Long.parseLong(m.group(1)), m.group(2))),
            new Form("ADVANCING the writer loop moves again", m -> new Advancing()),
            new Form("STOPPED", m -> new Stopped(Optional.empty())),
            new Form("STOPPED after (.*)", m -> new Stopped(Optional.of(m.group(1)))));

    private static TopicPartition partition(String text) {
        int dash = text.lastIndexOf('-');
        return new TopicPartition(text.substring(0, dash), Integer.parseInt(text.substring(dash + 1)));
    }
}
