package io.securelake.envs;

import java.util.List;
import java.util.Objects;

/** A person: a Kerberos principal {@code name@REALM} and a directory entry with group memberships. */
public record Person(String name, List<String> groups) {
    public Person {
        Objects.requireNonNull(name, "name");
        groups = List.copyOf(groups);
    }
}
