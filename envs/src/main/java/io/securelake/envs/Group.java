package io.securelake.envs;

import java.util.Objects;

/** A group of people in the environment's directory, with the role it plays. */
public record Group(String name, Role role) {
    public Group {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }
}
