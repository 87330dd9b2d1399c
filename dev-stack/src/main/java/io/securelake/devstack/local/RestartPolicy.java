package io.securelake.devstack.local;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When a supervisor starts a child that died again: after a backoff that doubles with each recent death (from
 * {@code firstBackoff} up to {@code maxBackoff}), and not at all once it died more than {@code maxDeaths} times within
 * {@code window}: a child that keeps dying is reported failed with the reason, not restarted forever.
 */
record RestartPolicy(Duration firstBackoff, Duration maxBackoff, int maxDeaths, Duration window) {
    /** 1 s, 2 s, 4 s … up to 30 s; gives up after the 6th death within 10 minutes. */
    static final RestartPolicy DEFAULT = new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 5,
            Duration.ofMinutes(10));

    RestartPolicy {
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be 0 <= first <= max, got " + firstBackoff + " and " + maxBackoff);
        }
        if (maxDeaths < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("need at least one death allowed within a positive window, got "
                    + maxDeaths + " within " + window);
        }
    }

    /**
     * The delay before the next start, given when the child died ({@code deaths}, the latest last); empty when it
     * must not be started again ({@link #giveUpReason}).
     */
    Optional<Duration> nextDelay(List<Instant> deaths, Instant now) {
        long recent = recentDeaths(deaths, now);
        if (recent > maxDeaths) {
            return Optional.empty();
        }
        Duration delay = firstBackoff;
        for (long i = 1; i < recent && delay.compareTo(maxBackoff) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return Optional.of(delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay);
    }

    String giveUpReason(List<Instant> deaths, Instant now) {
        return "ended " + recentDeaths(deaths, now) + " times within " + window.toMinutes() + " min (more than "
                + maxDeaths + "): not restarted again until someone runs 'securelake up'";
    }

    private long recentDeaths(List<Instant> deaths, Instant now) {
        Instant since = now.minus(window);
        return deaths.stream().filter(d -> d.isAfter(since)).count();
    }
}
