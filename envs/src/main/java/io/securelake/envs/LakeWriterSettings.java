package io.securelake.envs;

import java.time.Duration;
import java.util.Objects;

/**
 * How the environment's lake-writer lands events.
 *
 * @param rollInterval the longest a raw file stays open: the bound on the delay until events are visible
 */
public record LakeWriterSettings(Duration rollInterval) {
    public static final LakeWriterSettings DEFAULTS = new LakeWriterSettings(Duration.ofSeconds(60));

    public LakeWriterSettings {
        Objects.requireNonNull(rollInterval, "rollInterval");
    }
}
