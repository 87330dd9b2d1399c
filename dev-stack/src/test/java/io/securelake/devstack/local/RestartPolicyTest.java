package io.securelake.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private static List<Instant> deathsSecondsAgo(long... secondsAgo) {
        return java.util.Arrays.stream(secondsAgo).mapToObj(NOW::minusSeconds).toList();
    }

    @Test
    void theBackoffDoublesWithEachRecentDeathUpToItsCeiling() {
        RestartPolicy p = RestartPolicy.DEFAULT;
        assertThat(p.nextDelay(deathsSecondsAgo(0), NOW)).contains(Duration.ofSeconds(1));
        assertThat(p.nextDelay(deathsSecondsAgo(60, 0), NOW)).contains(Duration.ofSeconds(2));
        assertThat(p.nextDelay(deathsSecondsAgo(120, 60, 0), NOW)).contains(Duration.ofSeconds(4));
        assertThat(p.nextDelay(deathsSecondsAgo(240, 180, 120, 60, 0), NOW)).contains(Duration.ofSeconds(16));
        assertThat(new RestartPolicy(Duration.ofSeconds(10), Duration.ofSeconds(30), 9, Duration.ofMinutes(10))
                .nextDelay(deathsSecondsAgo(4, 3, 2, 1, 0), NOW)).contains(Duration.ofSeconds(30));
    }

    @Test
    void deathsOutsideTheWindowAreForgiven() {
        assertThat(RestartPolicy.DEFAULT.nextDelay(deathsSecondsAgo(3600, 3000, 2400, 1800, 1200, 0), NOW))
                .as("only the last death is recent").contains(Duration.ofSeconds(1));
    }

    @Test
    void itGivesUpAfterTooManyDeathsWithinTheWindowAndSaysWhy() {
        List<Instant> six = deathsSecondsAgo(500, 400, 300, 200, 100, 0);
        assertThat(RestartPolicy.DEFAULT.nextDelay(six, NOW)).isEmpty();
        assertThat(RestartPolicy.DEFAULT.giveUpReason(six, NOW))
                .isEqualTo("ended 6 times within 10 min (more than 5): not restarted again until someone runs 'securelake up'");
        assertThat(RestartPolicy.DEFAULT.nextDelay(six.subList(1, 6), NOW)).isPresent();
    }

    @Test
    void nonsenseIsRefused() {
        assertThatThrownBy(() -> new RestartPolicy(Duration.ofSeconds(5), Duration.ofSeconds(1), 3, Duration.ofMinutes(1)))
                .hasMessageContaining("backoff");
        assertThatThrownBy(() -> new RestartPolicy(Duration.ZERO, Duration.ZERO, 0, Duration.ofMinutes(1)))
                .hasMessageContaining("at least one death");
    }
}
