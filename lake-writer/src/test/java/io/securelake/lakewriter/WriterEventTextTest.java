package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.lakewriter.WriterEvent.OutageCause;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The progress lines are defined once: every event renders to one line, and that line parses back to the event. */
class WriterEventTextTest {

    private static final TopicPartition TP = new TopicPartition("dev.raw.payments", 2);

    /** One of each kind of event, with the text the writer has always printed for it. */
    private static final List<Sample> SAMPLES = List.of(
            new Sample(new WriterEvent.Running("svc-lakewriter-dev@DEV.SECURELAKE.LOCAL", "k2x9",
                    List.of("dev.raw.customer_preferences", "dev.raw.payments")),
                    "RUNNING as svc-lakewriter-dev@DEV.SECURELAKE.LOCAL writer=k2x9 topics=[dev.raw.customer_preferences, dev.raw.payments]"),
            new Sample(new WriterEvent.Assigned(TP), "ASSIGNED dev.raw.payments-2"),
            new Sample(new WriterEvent.Revoked(TP), "REVOKED dev.raw.payments-2"),
            new Sample(new WriterEvent.Lost(TP), "LOST dev.raw.payments-2"),
            new Sample(new WriterEvent.RecoveryCompleted(TP, 4200), "RECOVERED dev.raw.payments-2 next=4200"),
            new Sample(new WriterEvent.RecoveryCompleted(TP, -1), "RECOVERED dev.raw.payments-2 next=beginning"),
            new Sample(new WriterEvent.BatchCommitted(TP, 4200, 5199, 2, 999, 1, new WriterEvent.CommitTimings(110, 31, 40, 30, 9)),
                    "COMMITTED dev.raw.payments-2 [4200, 5199] files=2 records=999 quarantined=1 ms=110 close=31 manifest=40 apply=30 prune=9"),
            new Sample(new WriterEvent.Quarantined(TP, 4711, "not the event magic byte: 0x7B"),
                    "QUARANTINED dev.raw.payments-2 offset=4711: not the event magic byte: 0x7B"),
            new Sample(new WriterEvent.Fenced(TP, 4200, 4300), "FENCED dev.raw.payments-2: offsets from 4200 were committed by "
                    + "another writer; dropping this writer's batch [4200, 4300]"),
            new Sample(new WriterEvent.OutageStarted(OutageCause.HDFS, "Call From a to b failed: Connection refused"),
                    "HDFS UNAVAILABLE: Call From a to b failed: Connection refused"),
            new Sample(new WriterEvent.OutageStarted(OutageCause.ERROR, "java.lang.IllegalStateException: bug; or not"),
                    "FAILED java.lang.IllegalStateException: bug; or not; abandoning open batches, recovering from the raw zone "
                            + "after a backoff"),
            new Sample(new WriterEvent.OutageEnded(OutageCause.HDFS, 12), "HDFS AVAILABLE again after 12 s"),
            new Sample(new WriterEvent.OutageEnded(OutageCause.ERROR, 3), "RESUMED after 3 s"),
            new Sample(new WriterEvent.Stalled(5001, "a.B.c(B.java:1) <- a.B.d(B.java:2)"),
                    "STALLED the writer loop has not advanced for 5001 ms; its thread is at a.B.c(B.java:1) <- a.B.d(B.java:2)"),
            new Sample(new WriterEvent.Advancing(), "ADVANCING the writer loop moves again"),
            new Sample(new WriterEvent.Stopped(Optional.empty()), "STOPPED"),
            new Sample(new WriterEvent.Stopped(Optional.of("org.apache.kafka.common.errors.FencedInstanceIdException: fenced")),
                    "STOPPED after org.apache.kafka.common.errors.FencedInstanceIdException: fenced"));

    private record Sample(WriterEvent event, String text) {
    }

    @Test
    void everyKindOfEventHasASample() {
        // A new kind of event fails here until it has a line, which the tests below then check.
        List<Class<?>> sampled = SAMPLES.stream().<Class<?>>map(s -> s.event().getClass()).distinct().toList();
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(Arrays.asList(WriterEvent.class.getPermittedSubclasses()));
    }

    @Test
    void eachEventRendersAsItsLineAndTheLineParsesBackToIt() {
        for (Sample s : SAMPLES) {
            assertThat(WriterEventText.render(s.event())).isEqualTo(s.text());
            assertThat(WriterEventText.parse(s.text())).as(s.text()).contains(s.event());
        }
    }

    @Test
    void aProcessLineCarriesItsTimeAndParsesWithOrWithoutIt() {
        Instant at = Instant.parse("2026-11-25T10:00:00.123456Z");
        WriterEvent e = new WriterEvent.Assigned(TP);
        String line = WriterEventText.line(at, e);
        assertThat(line).isEqualTo("2026-11-25T10:00:00.123456Z ASSIGNED dev.raw.payments-2");
        assertThat(WriterEventText.parse(line)).contains(e);
        assertThat(WriterEventText.parse(WriterEventText.line(Instant.parse("2026-11-25T10:00:00Z"), e))).contains(e);
    }

    @Test
    void aMessageWithLineBreaksStaysOneLine() {
        String rendered = WriterEventText.render(new WriterEvent.OutageStarted(OutageCause.HDFS,
                "Connection refused\nFor more details see:  http://wiki.apache.org/hadoop/ConnectionRefused\r\n"));
        assertThat(rendered).doesNotContain("\n").doesNotContain("\r");
        assertThat(WriterEventText.parse(rendered)).get().isInstanceOf(WriterEvent.OutageStarted.class);
    }

    @Test
    void otherLinesAreNoEvents() {
        assertThat(WriterEventText.parse("log4j:WARN No appenders could be found")).isEmpty();
        assertThat(WriterEventText.parse("")).isEmpty();
        assertThat(WriterEventText.parse("COMMITTED but not in the writer's format")).isEmpty();
    }
}
