package io.securelake.encryption.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpiringCacheTest {

    @Test
    void overflowEvictsTheLeastRecentlyUsedDownToNinetyPercent() {
        ExpiringCache<Integer, String> cache = new ExpiringCache<>(10, 60_000);
        for (int i = 0; i < 10; i++) {
            cache.put(i, "v" + i, 1_000 + i);
        }
        assertThat(cache.get(0, 2_000)).isEqualTo("v0"); // 0 is now the most recently used
        cache.put(10, "v10", 2_001);
        assertThat(cache.size()).isEqualTo(9);
        assertThat(cache.get(0, 2_002)).isEqualTo("v0");
        assertThat(cache.get(10, 2_002)).isEqualTo("v10");
        for (int gone = 1; gone <= 2; gone++) {
            assertThat(cache.get(gone, 2_002)).as("key %d", gone).isNull();
        }
        for (int kept = 3; kept < 10; kept++) {
            assertThat(cache.get(kept, 2_002)).as("key %d", kept).isEqualTo("v" + kept);
        }
    }

    @Test
    void entriesExpireAfterTheirTimeToLive() {
        ExpiringCache<Integer, String> cache = new ExpiringCache<>(100, 1_000);
        cache.put(1, "a", 0);
        assertThat(cache.get(1, 999)).isEqualTo("a");
        assertThat(cache.get(1, 1_000)).isNull();
        assertThat(cache.size()).isZero();
    }
}
