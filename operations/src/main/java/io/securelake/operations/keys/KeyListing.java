package io.securelake.operations.keys;

import java.util.Objects;

/**
 * One line of {@code securelake keys list}: the KMS's metadata and what the local DEK repository holds.
 *
 * @param liveDeks     wrapped DEKs under this KEK
 * @param shreddedDeks tombstones of crypto-shredded DEKs
 * @param staleDeks    live DEKs wrapped by an older KEK version (a re-wrap would move them)
 */
public record KeyListing(KekDescription kek, int liveDeks, int shreddedDeks, int staleDeks) {
    public KeyListing {
        Objects.requireNonNull(kek, "kek");
    }
}
