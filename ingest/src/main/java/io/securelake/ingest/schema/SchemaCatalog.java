package io.securelake.ingest.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The schemas of every dataset: {@code <dir>/<dataset>/v<N>.avsc}, N = 1, 2, … without gaps. An optional
 * {@code <dir>/<dataset>/retired} file lists versions (one per line) that no reader uses any more; they
 * still decode old data but no longer constrain new versions. Loading checks each version against the
 * earlier versions still in use and refuses the whole catalog, with every reason, if one is incompatible.
 */
public final class SchemaCatalog {

    private static final Pattern VERSION_FILE = Pattern.compile("v([1-9][0-9]{0,5})\\.avsc");

    private final Path directory;
    private final Map<String, DatasetSchemas> datasets;

    private SchemaCatalog(Path directory, Map<String, DatasetSchemas> datasets) {
        this.directory = directory;
        this.datasets = Collections.unmodifiableMap(new TreeMap<>(datasets));
    }

    /** The schemas directory that sits next to the environment files ({@code envs/schemas}). */
    public static Path besideEnvironments(Path envsDir) {
        return envsDir.resolve("schemas");
    }

    public static SchemaCatalog load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("schema directory " + directory.toAbsolutePath() + " does not exist");
        }
        Map<String, DatasetSchemas> datasets = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(directory)) {
            for (Path datasetDir : dirs.filter(Files::isDirectory).sorted().toList()) {
                String dataset = datasetDir.getFileName().toString();
                try {
                    datasets.put(dataset, loadDataset(dataset, datasetDir));
                } catch (InvalidSchemaException e) {
                    problems.addAll(e.problems().stream().map(p -> dataset + ": " + p).toList());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list schema directory " + directory, e);
        }
        if (!problems.isEmpty()) {
            throw new InvalidSchemaException("schema catalog " + directory, problems);
        }
        return new SchemaCatalog(directory, datasets);
    }

    private static DatasetSchemas loadDataset(String dataset, Path dir) throws IOException {
        NavigableMap<Integer, DatasetSchema> versions = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                Matcher m = VERSION_FILE.matcher(name);
                if (m.matches()) {
                    int version = Integer.parseInt(m.group(1));
                    try {
                        versions.put(version, DatasetSchema.parse(dataset, version, Files.readString(file,
                                StandardCharsets.UTF_8), file.toString()));
                    } catch (InvalidSchemaException e) {
                        problems.add(e.getMessage());
                    }
                } else if (name.endsWith(".avsc")) {
                    problems.add(file + ": schema files must be named v<N>.avsc");
                }
            }
        }
        Set<Integer> retired = new TreeSet<>();
        Path retiredFile = dir.resolve("retired");
        if (Files.exists(retiredFile)) {
            for (String line : Files.readAllLines(retiredFile, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    retired.add(Integer.parseInt(t.startsWith("v") ? t.substring(1) : t));
                }
            }
        }
        if (problems.isEmpty() && versions.isEmpty()) {
            problems.add(dir + " holds no v1.avsc");
        }
        int expected = 1;
        for (int v : versions.keySet()) {
            if (v != expected) {
                problems.add(dir + ": versions must be 1, 2, … without gaps; v" + expected + " is missing");
                break;
            }
            expected++;
        }
        if (problems.isEmpty()) {
            for (DatasetSchema candidate : versions.values()) {
                List<DatasetSchema> inUse = versions.headMap(candidate.version(), false).values().stream()
                        .filter(s -> !retired.contains(s.version())).toList();
                CompatibilityReport report = SchemaEvolution.check(candidate, inUse);
                if (!report.compatible()) {
                    problems.add(report.describe());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSchemaException(dataset, problems);
        }
        return new DatasetSchemas(dataset, versions, retired);
    }

    public Path directory() {
        return directory;
    }

    public Set<String> datasets() {
        return datasets.keySet();
    }

    public DatasetSchemas dataset(String name) {
        DatasetSchemas schemas = datasets.get(name);
        if (schemas == null) {
            throw new IllegalArgumentException("no schemas for dataset '" + name + "' in " + directory
                    + " (known: " + String.join(", ", datasets.keySet()) + ")");
        }
        return schemas;
    }

    /**
     * Checks a proposed next version of a dataset without publishing it.
     *
     * @return the verdict; a structurally invalid schema throws {@link InvalidSchemaException}
     */
    public CompatibilityReport propose(String dataset, String avscText) {
        DatasetSchemas current = dataset(dataset);
        int version = current.latest().version() + 1;
        DatasetSchema candidate = DatasetSchema.parse(dataset, version, avscText, dataset + " v" + version + " (proposed)");
        return SchemaEvolution.check(candidate, current.inUse());
    }
}
