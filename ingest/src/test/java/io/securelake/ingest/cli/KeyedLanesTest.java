package io.securelake.ingest.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyedLanesTest {

    @Test
    void tasksOfOneKeyRunInOrderOnOneThreadAndEveryTaskRuns() throws Exception {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, Set<String>> threadsPerKey = new ConcurrentHashMap<>();
        try (KeyedLanes lanes = new KeyedLanes(4, 8, "test")) {
            for (int i = 0; i < 20_000; i++) {
                String key = "customer-" + (i % 37);
                int n = i;
                lanes.submit(key, () -> {
                    seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(n);
                    threadsPerKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
                });
            }
        } // close waits for every task
        assertThat(seen).hasSize(37);
        assertThat(seen.values().stream().mapToInt(List::size).sum()).isEqualTo(20_000);
        seen.values().forEach(l -> assertThat(l).isSorted());
        threadsPerKey.values().forEach(t -> assertThat(t).hasSize(1));
        assertThat(threadsPerKey.values().stream().flatMap(Set::stream).distinct().count()).isGreaterThan(1);
    }

    @Test
    void aSlowKeyDoesNotHoldUpTheOthers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch othersDone = new CountDownLatch(10);
        try (KeyedLanes lanes = new KeyedLanes(2, 100, "test")) {
            Object slow = 0; // lane 0
            lanes.submit(slow, () -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < 10; i++) {
                lanes.submit(1, othersDone::countDown); // lane 1
            }
            assertThat(othersDone.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
        }
    }

    @Test
    void aFailingTaskIsReportedAtClose() {
        assertThatThrownBy(() -> {
            try (KeyedLanes lanes = new KeyedLanes(2, 4, "test")) {
                lanes.submit("k", () -> {
                    throw new IllegalStateException("boom");
                });
            }
        }).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }
}
