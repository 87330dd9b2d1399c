package io.securelake.envs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The environment definitions of one deployment: a directory of {@code <name>.yaml} files. Knowing all
 * of them lets the loader refuse a definition that names another environment's resources.
 */
public final class EnvironmentCatalog {
    private final Path directory;
    private final List<String> names;

    private EnvironmentCatalog(Path directory, List<String> names) {
        this.directory = directory;
        this.names = names;
    }

    public static EnvironmentCatalog of(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("environment directory " + directory.toAbsolutePath() + " does not exist");
        }
        try (Stream<Path> files = Files.list(directory)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml"))
                    .map(n -> n.substring(0, n.length() - ".yaml".length()))
                    .sorted().toList();
            return new EnvironmentCatalog(directory, names);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list environment directory " + directory, e);
        }
    }

    public Path directory() {
        return directory;
    }

    public List<String> names() {
        return names;
    }

    public Environment load(String name) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException("unknown environment '" + name + "': " + directory
                    + " defines " + (names.isEmpty() ? "none" : String.join(", ", names)));
        }
        Set<String> others = new HashSet<>(names);
        others.remove(name);
        return new EnvironmentLoader(others).load(directory.resolve(name + ".yaml"));
    }

    public List<Environment> loadAll() {
        return names.stream().map(this::load).toList();
    }
}
