package io.securelake.encryption;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link FieldCipher}.
 *
 * @param environment        the only environment this cipher serves; contexts and ciphertexts of another
 *                           environment are refused
 * @param dekMaxAge          a randomized-mode DEK is retired after this age
 * @param dekMaxUses         ... or after this many encryptions (keeps random-nonce collision odds negligible)
 * @param dekCacheMaxEntries bound of the in-memory cache of unwrapped DEKs
 * @param dekCacheTtl        how long an unwrapped DEK stays cached; also how long a shredded subject's key
 *                           can stay usable in another running process
 * @param clock              time source (tests move it instead of sleeping)
 */
public record EncryptionSettings(String environment, Duration dekMaxAge, long dekMaxUses, int dekCacheMaxEntries,
                                 Duration dekCacheTtl, Clock clock) {

    /** NIST SP 800-38D caps random-nonce GCM at 2^32 messages per key; we stay far below. */
    public static final long MAX_DEK_USES_LIMIT = 1L << 32;

    public EncryptionSettings {
        if (!EncryptionContext.isValidEnvironment(environment)) {
            throw new IllegalArgumentException("invalid environment: '" + environment + "'");
        }
        Objects.requireNonNull(dekMaxAge, "dekMaxAge");
        Objects.requireNonNull(dekCacheTtl, "dekCacheTtl");
        Objects.requireNonNull(clock, "clock");
        if (dekMaxAge.isNegative() || dekMaxAge.isZero()) {
            throw new IllegalArgumentException("dekMaxAge must be positive");
        }
        if (dekMaxUses < 1 || dekMaxUses > MAX_DEK_USES_LIMIT) {
            throw new IllegalArgumentException("dekMaxUses must be in 1.." + MAX_DEK_USES_LIMIT);
        }
        if (dekCacheMaxEntries < 1) {
            throw new IllegalArgumentException("dekCacheMaxEntries must be positive");
        }
        if (dekCacheTtl.isNegative() || dekCacheTtl.isZero()) {
            throw new IllegalArgumentException("dekCacheTtl must be positive");
        }
    }

    /** Defaults: DEKs rotate hourly or every 100 million fields; 10,000 cached DEKs for 10 minutes. */
    public static EncryptionSettings defaults(String environment) {
        return new EncryptionSettings(environment, Duration.ofHours(1), 100_000_000L, 10_000,
                Duration.ofMinutes(10), Clock.systemUTC());
    }

    public EncryptionSettings withDekRotation(Duration maxAge, long maxUses) {
        return new EncryptionSettings(environment, maxAge, maxUses, dekCacheMaxEntries, dekCacheTtl, clock);
    }

    public EncryptionSettings withDekCache(int maxEntries, Duration ttl) {
        return new EncryptionSettings(environment, dekMaxAge, dekMaxUses, maxEntries, ttl, clock);
    }

    public EncryptionSettings withClock(Clock otherClock) {
        return new EncryptionSettings(environment, dekMaxAge, dekMaxUses, dekCacheMaxEntries, dekCacheTtl, otherClock);
    }
}
