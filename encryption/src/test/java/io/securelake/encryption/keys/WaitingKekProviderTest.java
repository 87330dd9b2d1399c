package io.securelake.encryption.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KeyAccessDeniedException;
import io.securelake.encryption.KeyServiceUnavailableException;
import io.securelake.encryption.WrappedDek;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Waiting out an unreachable key service: bounded per outage, and only for unreachability. */
class WaitingKekProviderTest {

    /** Answers {@link #currentVersionName} while up; while down, fails as an unreachable KMS does. */
    static final class FlakyKeyService implements KekProvider {
        volatile boolean down;
        volatile boolean denied;
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String currentVersionName(String kekName) {
            calls.incrementAndGet();
            if (denied) {
                throw new KeyAccessDeniedException(kekName, "refused");
            }
            if (down) {
                throw new KeyServiceUnavailableException("the key service kms://test is unreachable (Connection refused)", null);
            }
            return kekName + "@0";
        }

        @Override
        public GeneratedDek generateDek(String kekName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] unwrapDek(WrappedDek wrapped) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WrappedDek rewrapDek(WrappedDek wrapped) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> listKekNames() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String createKek(String kekName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String rollKek(String kekName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    final FlakyKeyService service = new FlakyKeyService();

    @Test
    void aShortOutageCostsAPauseNotTheCall() throws Exception {
        KekProvider waiting = new WaitingKekProvider(service, Duration.ofSeconds(10));
        service.down = true;
        CompletableFuture.runAsync(() -> {
            sleep(400);
            service.down = false;
        });
        long t0 = System.nanoTime();
        assertThat(waiting.currentVersionName("dev.payments")).isEqualTo("dev.payments@0");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(350), Duration.ofSeconds(5));
        assertThat(service.calls.get()).isBetween(2, 8);
    }

    @Test
    void aLongOutageIsRefusedAfterTheBoundOnceNotPerCall() {
        KekProvider waiting = new WaitingKekProvider(service, Duration.ofMillis(500));
        service.down = true;
        long t0 = System.nanoTime();
        Throwable first = catchThrowable(() -> waiting.currentVersionName("dev.payments"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
        assertThat(first).isInstanceOf(KeyServiceUnavailableException.class)
                .hasMessageStartingWith("the key service kms://test is unreachable (Connection refused); no answer for 0.")
                .hasMessageEndingWith("longer than the 0.5 s a caller waits");

        // Still down: the next callers are refused after one attempt, they do not wait the bound again.
        int before = service.calls.get();
        long t1 = System.nanoTime();
        assertThat(catchThrowable(() -> waiting.currentVersionName("dev.payments")))
                .isInstanceOf(KeyServiceUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofMillis(250));
        assertThat(service.calls.get()).isEqualTo(before + 1);

        // Back: the outage is over; the next one is waited for again.
        service.down = false;
        assertThat(waiting.currentVersionName("dev.payments")).isEqualTo("dev.payments@0");
        service.down = true;
        long t2 = System.nanoTime();
        assertThat(catchThrowable(() -> waiting.currentVersionName("dev.payments")))
                .isInstanceOf(KeyServiceUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t2)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void otherRefusalsAreNotWaitedFor() {
        KekProvider waiting = new WaitingKekProvider(service, Duration.ofSeconds(10));
        service.denied = true;
        assertThat(catchThrowable(() -> waiting.currentVersionName("dev.payments")))
                .isInstanceOf(KeyAccessDeniedException.class);
        assertThat(service.calls.get()).isEqualTo(1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
