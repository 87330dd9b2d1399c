package io.securelake.policies.engine;

import io.securelake.envs.Environment;
import io.securelake.envs.Person;
import io.securelake.envs.ServiceIdentity;
import io.securelake.policies.api.GroupResolver;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Groups as the environment defines them, the same mapping the platform gives Hadoop's static group
 * mapping: a person has the groups of the definition, a service principal is its own group, anyone
 * else (e.g. another environment's principal) has none.
 */
public final class EnvironmentGroups implements GroupResolver {
    private final Map<String, Set<String>> groups;

    public EnvironmentGroups(Environment env) {
        Map<String, Set<String>> m = new HashMap<>();
        for (Person p : env.people()) {
            m.put(p.name(), Set.copyOf(p.groups()));
        }
        for (ServiceIdentity s : env.services()) {
            m.put(s.principal(), Set.of(s.principal()));
        }
        this.groups = Map.copyOf(m);
    }

    @Override
    public Set<String> groupsOf(String user) {
        return groups.getOrDefault(user, Set.of());
    }
}
