package io.securelake.operations.keys;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What the KMS says about one KEK: metadata only, never material.
 *
 * @param currentVersion e.g. {@code dev.payments@2}; derived from the version count, because the KMS
 *                       operation that returns the current version also returns its material
 * @param versions       how many versions exist (a roll adds one; old ones stay to unwrap old DEKs)
 * @param created        creation time, or null if the provider does not say
 */
public record KekDescription(String name, String currentVersion, int versions, String cipher, int bitLength,
                             String description, Instant created, Map<String, String> attributes) {
    public KekDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(currentVersion, "currentVersion");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
