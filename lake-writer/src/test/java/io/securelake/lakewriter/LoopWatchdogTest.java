package io.securelake.lakewriter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopWatchdogTest {

    /** The "loop": beats until told to block, blocks on a latch, then beats again until stopped. */
    private static final class Loop implements Runnable {
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean stop;
        volatile LoopWatchdog watchdog;

        @Override
        public void run() {
            try {
                watchdog.beat(); // the stall is measured from here, with the thread about to block in waitHere
                waitHere();
                while (!stop) {
                    watchdog.beat();
                    Thread.onSpinWait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void waitHere() throws InterruptedException {
            blocked.countDown();
            release.await();
        }
    }

    @Test
    void aLoopThatStopsAdvancingIsReportedWithWhereItIsThenItsRecovery() throws Exception {
        BlockingQueue<WriterEvent> reports = new LinkedBlockingQueue<>();
        Loop loop = new Loop();
        Thread thread = new Thread(loop, "loop-under-test");
        try (LoopWatchdog watchdog = new LoopWatchdog(thread, Duration.ofMillis(1_000), reports::add)) {
            loop.watchdog = watchdog;
            thread.start();
            assertThat(loop.blocked.await(10, TimeUnit.SECONDS)).isTrue();

            WriterEvent report = reports.poll(10, TimeUnit.SECONDS);
            assertThat(report).isInstanceOf(WriterEvent.Stalled.class);
            WriterEvent.Stalled stalled = (WriterEvent.Stalled) report;
            assertThat(stalled.where()).contains("LoopWatchdogTest$Loop.waitHere");
            assertThat(stalled.millis()).isGreaterThanOrEqualTo(1_000);
            assertThat(WriterEventText.render(stalled)).startsWith("STALLED the writer loop has not advanced for ");

            loop.release.countDown();
            WriterEvent advancing = reports.poll(10, TimeUnit.SECONDS);
            assertThat(advancing).isEqualTo(new WriterEvent.Advancing());
            assertThat(WriterEventText.render(advancing)).isEqualTo("ADVANCING the writer loop moves again");
            // One report per stall: while the loop keeps beating nothing more is said.
            assertThat(reports.poll(500, TimeUnit.MILLISECONDS)).isNull();
        } finally {
            loop.stop = true;
            loop.release.countDown();
            thread.join(10_000);
        }
    }
}
