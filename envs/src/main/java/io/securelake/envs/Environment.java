package io.securelake.envs;

import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * One environment (dev, sit, prod): a namespace of people, services, datasets and the endpoints that
 * serve them. Everything named in the platform is derived from it by {@link #names()}.
 *
 * @param keys   where its data keys are kept (the key registry)
 * @param source where the definition was loaded from (for messages)
 */
public record Environment(String name, String description, KerberosSettings kerberos, List<Group> groups,
                          List<Person> people, List<ServiceIdentity> services, List<Dataset> datasets,
                          Endpoints endpoints, LakeWriterSettings lakeWriter, KeySettings keys, Path source) {

    /**
     * The name of the development environment. The model has no tier field: an environment's name is its
     * identity (the loader requires it to match the file name, and every derived name carries it), so
     * "dev" is exactly the environment named {@code dev}. Any other name, a custom one included, is treated
     * as production-like: relaxations meant for development fail closed everywhere else.
     */
    public static final String DEVELOPMENT = "dev";

    public Environment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(kerberos, "kerberos");
        groups = List.copyOf(groups);
        people = List.copyOf(people);
        services = List.copyOf(services);
        datasets = List.copyOf(datasets);
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(lakeWriter, "lakeWriter");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(source, "source");
    }

    /** Whether this is the development environment, where a few safeguards may be relaxed (see {@link #DEVELOPMENT}). */
    public boolean isDevelopment() {
        return isDevelopment(name);
    }

    /** As {@link #isDevelopment()}, for configuration that names its environment before the definition is loaded. */
    public static boolean isDevelopment(String environmentName) {
        return DEVELOPMENT.equals(environmentName);
    }

    public EnvironmentNames names() {
        return new EnvironmentNames(this);
    }

    public String realm() {
        return kerberos.realm();
    }

    public ServiceIdentity service(ServiceRole role) {
        return services.stream().filter(s -> s.role() == role).findFirst()
                .orElseThrow(() -> new NoSuchElementException(
                        "environment " + name + " defines no service '" + role.yamlName() + "' (" + source + ")"));
    }

    public Optional<Person> person(String personName) {
        return people.stream().filter(p -> p.name().equals(personName)).findFirst();
    }

    public Optional<Dataset> dataset(String datasetName) {
        return datasets.stream().filter(d -> d.name().equals(datasetName)).findFirst();
    }

    public Optional<Group> group(String groupName) {
        return groups.stream().filter(g -> g.name().equals(groupName)).findFirst();
    }

    /** People whose groups carry the given role. */
    public List<Person> peopleWithRole(Role role) {
        return people.stream()
                .filter(p -> p.groups().stream().map(this::group).flatMap(Optional::stream)
                        .anyMatch(g -> g.role() == role))
                .toList();
    }
}
