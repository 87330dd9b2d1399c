package io.securelake.encryption.core;

import io.securelake.encryption.DekId;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The writer-private DEK each KEK's randomized fields are encrypted under now, replaced when it is older than its
 * age bound or has been used its number of times (so no key encrypts more than GCM's random-nonce bound allows).
 * Thread-safe: one thread makes a replacement, the others find it.
 */
final class RollingDeks {

    private static final class ActiveDek {
        final DekKeys keys;
        final long expiresAtMillis;
        final AtomicLong uses = new AtomicLong();

        ActiveDek(DekKeys keys, long expiresAtMillis) {
            this.keys = keys;
            this.expiresAtMillis = expiresAtMillis;
        }
    }

    private final long maxAgeMillis;
    private final long maxUses;
    /** Makes and stores a new rolling DEK for a KEK (a KMS call). */
    private final Function<String, DekKeys> create;
    private final ConcurrentHashMap<String, ActiveDek> active = new ConcurrentHashMap<>();

    RollingDeks(long maxAgeMillis, long maxUses, Function<String, DekKeys> create) {
        this.maxAgeMillis = maxAgeMillis;
        this.maxUses = maxUses;
        this.create = create;
    }

    /** The DEK to encrypt one more value under {@code kekName} with, counted as one use. */
    DekKeys next(String kekName, long now) {
        while (true) {
            ActiveDek current = active.get(kekName);
            if (current == null || now >= current.expiresAtMillis || current.uses.get() >= maxUses) {
                ActiveDek stale = current;
                current = active.compute(kekName, (name, present) ->
                        present != null && present != stale && now < present.expiresAtMillis
                                && present.uses.get() < maxUses
                                ? present
                                : new ActiveDek(create.apply(name), now + maxAgeMillis));
            }
            if (current.uses.incrementAndGet() <= maxUses) {
                return current.keys;
            }
        }
    }

    /** Stops using {@code id} if it is the KEK's current DEK (it changed elsewhere, e.g. was destroyed). */
    void forget(String kekName, DekId id) {
        // get + remove(key, value), not computeIfPresent: a compute on the same KEK may be waiting for the KMS, and
        // this runs on the repository's notification thread, which must never wait behind it.
        ActiveDek current = active.get(kekName);
        if (current != null && current.keys.id.equals(id)) {
            active.remove(kekName, current);
        }
    }

    void forgetKek(String kekName) {
        active.remove(kekName);
    }

    void forgetAll() {
        active.clear();
    }
}
