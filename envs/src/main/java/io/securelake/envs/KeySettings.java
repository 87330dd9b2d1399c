package io.securelake.envs;

import java.util.Objects;

/**
 * Where the environment keeps its data keys (wrapped or sealed, never clear).
 *
 * @param registry which store every process of the environment shares
 */
public record KeySettings(Registry registry) {

    /** The default: the registry on the environment's Kafka, shared by every machine. */
    public static final KeySettings DEFAULTS = new KeySettings(Registry.KAFKA);

    public KeySettings {
        Objects.requireNonNull(registry, "registry");
    }

    /** The stores a registry can live in; the name is what an environment file says. */
    public enum Registry {
        /**
         * The environment's {@code <env>.keys.deks} and {@code <env>.keys.changes} topics (EnvironmentNames), governed by
         * its Ranger Kafka policies: every machine of the environment shares it.
         */
        KAFKA("kafka"),
        /** A directory of one host ({@code .securelake/<env>/deks/}): single-host tools and tests only. */
        DIRECTORY("directory");

        private final String label;

        Registry(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The registry an environment file names, or null for a name this build does not know. */
        public static Registry of(String label) {
            for (Registry r : values()) {
                if (r.label.equals(label)) {
                    return r;
                }
            }
            return null;
        }
    }
}
