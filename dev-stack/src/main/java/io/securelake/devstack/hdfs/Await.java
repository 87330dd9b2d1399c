package io.securelake.devstack.hdfs;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition of a Hadoop server that Hadoop announces through no callback (a DataNode's registration, the
 * end of safe mode): checks it every {@link #INTERVAL} until a deadline.
 */
final class Await {
    /** Short against the seconds a start takes, long enough to cost nothing while waiting. */
    static final Duration INTERVAL = Duration.ofMillis(50);

    private Await() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws TimeoutException if it does not within {@code timeout}
     * @throws InterruptedException if the thread is interrupted while waiting (its flag is then clear, as usual)
     */
    static void until(BooleanSupplier condition, Duration timeout, String what)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            LockSupport.parkNanos(Math.min(left, INTERVAL.toNanos()));
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting until " + what);
            }
        }
    }
}
