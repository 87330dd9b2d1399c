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
 * @param keysPerThread      how many DEKs each thread keeps expanded AES engines for (about 5 KiB each): with
 *                           one key per data subject, re-expanding the key is a large part of a field's cost
 * @param wrappingKeyPeriod  how long writers seal new subject keys under one wrapping key before the next period's
 *                           (the KMS generates one per dataset per period, whatever the number of subjects)
 * @param wrappingKeyCacheTtl how long an unwrapped wrapping key stays in memory: a process asks the KMS for each
 *                           wrapping key it needs at most once per this time (and loses it this long after the KMS
 *                           stopped granting it)
 */
public record EncryptionSettings(String environment, Duration dekMaxAge, long dekMaxUses, int dekCacheMaxEntries,
                                 Duration dekCacheTtl, Clock clock, int keysPerThread, Duration wrappingKeyPeriod,
                                 Duration wrappingKeyCacheTtl) {

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
        if (keysPerThread < 1) {
            throw new IllegalArgumentException("keysPerThread must be positive");
        }
        Objects.requireNonNull(wrappingKeyPeriod, "wrappingKeyPeriod");
        Objects.requireNonNull(wrappingKeyCacheTtl, "wrappingKeyCacheTtl");
        if (wrappingKeyPeriod.compareTo(Duration.ofMinutes(1)) < 0 || wrappingKeyPeriod.compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("wrappingKeyPeriod must be between 1 minute and 366 days, not " + wrappingKeyPeriod);
        }
        if (wrappingKeyCacheTtl.isNegative() || wrappingKeyCacheTtl.isZero()) {
            throw new IllegalArgumentException("wrappingKeyCacheTtl must be positive");
        }
    }

    /**
     * Defaults: DEKs rotate hourly or every 100 million fields; 10,000 cached DEKs for 10 minutes; expanded
     * engines for the last 1,024 keys per thread (about 5 MiB per encrypting thread); a new wrapping key per dataset
     * each day, kept unwrapped for an hour.
     */
    public static EncryptionSettings defaults(String environment) {
        return new EncryptionSettings(environment, Duration.ofHours(1), 100_000_000L, 10_000,
                Duration.ofMinutes(10), Clock.systemUTC(), 1_024, Duration.ofDays(1), Duration.ofHours(1));
    }

    public EncryptionSettings withDekRotation(Duration maxAge, long maxUses) {
        return new EncryptionSettings(environment, maxAge, maxUses, dekCacheMaxEntries, dekCacheTtl, clock,
                keysPerThread, wrappingKeyPeriod, wrappingKeyCacheTtl);
    }

    public EncryptionSettings withDekCache(int maxEntries, Duration ttl) {
        return new EncryptionSettings(environment, dekMaxAge, dekMaxUses, maxEntries, ttl, clock, keysPerThread,
                wrappingKeyPeriod, wrappingKeyCacheTtl);
    }

    public EncryptionSettings withClock(Clock otherClock) {
        return new EncryptionSettings(environment, dekMaxAge, dekMaxUses, dekCacheMaxEntries, dekCacheTtl, otherClock,
                keysPerThread, wrappingKeyPeriod, wrappingKeyCacheTtl);
    }

    public EncryptionSettings withKeysPerThread(int keys) {
        return new EncryptionSettings(environment, dekMaxAge, dekMaxUses, dekCacheMaxEntries, dekCacheTtl, clock, keys,
                wrappingKeyPeriod, wrappingKeyCacheTtl);
    }

    public EncryptionSettings withWrappingKeys(Duration period, Duration cacheTtl) {
        return new EncryptionSettings(environment, dekMaxAge, dekMaxUses, dekCacheMaxEntries, dekCacheTtl, clock,
                keysPerThread, period, cacheTtl);
    }
}
