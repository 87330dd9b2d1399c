package io.securelake.policies.api;

import java.util.Set;

/** Groups of a short user name, as the platform's group mapping resolves them. */
@FunctionalInterface
public interface GroupResolver {
    Set<String> groupsOf(String user);
}
