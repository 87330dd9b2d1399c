package io.securelake.encryption.keys;

import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KeyServiceUnavailableException;
import io.securelake.encryption.WrappedDek;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A {@link KekProvider} that waits out a short outage of the key service: a call the delegate fails with
 * {@link KeyServiceUnavailableException} is retried with a doubling pause (0.1 s up to 2 s) until the key service has
 * been unreachable for {@code maxWait}, then refused with that exception. The outage is timed from the first failure
 * any caller saw, and ends with the next answer of the key service: during a long outage only the first callers wait,
 * later ones are refused after one attempt, so the delay is bounded per outage, not per call. Any other failure
 * (access denied, unknown key) is passed on at once.
 *
 * <p>Thread-safe. The delegate is borrowed: {@link #close()} does not close it.
 */
public final class WaitingKekProvider implements KekProvider {
    static final long FIRST_PAUSE_MILLIS = 100;
    static final long MAX_PAUSE_MILLIS = 2_000;
    private static final long NO_OUTAGE = Long.MIN_VALUE;

    private final KekProvider delegate;
    private final long maxWaitNanos;
    /** {@link System#nanoTime()} when a caller first found the key service unreachable; NO_OUTAGE while it answers. */
    private final AtomicLong outageSince = new AtomicLong(NO_OUTAGE);

    /** @param maxWait how long the key service may be unreachable before calls are refused (zero: never wait) */
    public WaitingKekProvider(KekProvider delegate, Duration maxWait) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        this.maxWaitNanos = maxWait.toNanos();
    }

    @Override
    public GeneratedDek generateDek(String kekName) {
        return patiently(() -> delegate.generateDek(kekName));
    }

    @Override
    public byte[] unwrapDek(WrappedDek wrapped) {
        return patiently(() -> delegate.unwrapDek(wrapped));
    }

    @Override
    public WrappedDek rewrapDek(WrappedDek wrapped) {
        return patiently(() -> delegate.rewrapDek(wrapped));
    }

    @Override
    public String currentVersionName(String kekName) {
        return patiently(() -> delegate.currentVersionName(kekName));
    }

    @Override
    public List<String> listKekNames() {
        return patiently(delegate::listKekNames);
    }

    @Override
    public String createKek(String kekName) {
        return patiently(() -> delegate.createKek(kekName));
    }

    @Override
    public String rollKek(String kekName) {
        return patiently(() -> delegate.rollKek(kekName));
    }

    @Override
    public void close() {
        // borrowed
    }

    private <T> T patiently(Supplier<T> call) {
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            try {
                T result = call.get();
                if (outageSince.get() != NO_OUTAGE) {
                    outageSince.set(NO_OUTAGE);
                }
                return result;
            } catch (KeyServiceUnavailableException e) {
                long now = System.nanoTime();
                long since = outageSince.compareAndExchange(NO_OUTAGE, now);
                long down = now - (since == NO_OUTAGE ? now : since);
                if (down >= maxWaitNanos) {
                    throw new KeyServiceUnavailableException(e.getMessage() + "; no answer for " + seconds(down)
                            + " s, longer than the " + seconds(maxWaitNanos) + " s a caller waits", e);
                }
                try {
                    Thread.sleep(Math.min(pause, (maxWaitNanos - down) / 1_000_000 + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new KeyServiceUnavailableException(e.getMessage() + "; interrupted while waiting for it", e);
                }
                pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
            }
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    @Override
    public String toString() {
        return "WaitingKekProvider[" + delegate + ", up to " + seconds(maxWaitNanos) + " s]";
    }
}
