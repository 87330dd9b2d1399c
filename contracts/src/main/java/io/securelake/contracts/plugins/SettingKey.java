package io.securelake.contracts.plugins;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One setting a plugin reads from its host's configuration (a Kafka broker's properties, a NameNode's Hadoop
 * configuration, a Knox provider's parameters, a SparkContext's configuration): its name, what it means, how its text
 * is parsed and checked, and its default when it may be left out.
 *
 * @param parse turns the (stripped, non-empty) text into the value; throws {@link IllegalArgumentException} saying
 *              what is wrong with it
 * @param defaultValue empty: the setting is required
 */
public record SettingKey<T>(String name, String meaning, Function<String, T> parse, Optional<T> defaultValue) {
    public SettingKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(meaning, "meaning");
        Objects.requireNonNull(parse, "parse");
        Objects.requireNonNull(defaultValue, "defaultValue");
    }

    static <T> SettingKey<T> required(String name, String meaning, Function<String, T> parse) {
        return new SettingKey<>(name, meaning, parse, Optional.empty());
    }

    static <T> SettingKey<T> optional(String name, String meaning, Function<String, T> parse, T defaultValue) {
        return new SettingKey<>(name, meaning, parse, Optional.of(defaultValue));
    }

    public boolean required() {
        return defaultValue.isEmpty();
    }

    @Override
    public String toString() {
        return name;
    }
}
