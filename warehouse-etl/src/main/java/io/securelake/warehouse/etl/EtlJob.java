package io.securelake.warehouse.etl;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.warehouse.query.HiveEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One ETL run over some datasets of an environment: for each, the raw files committed since the last
 * successful run decide which days ({@code dt}) are rebuilt; the model rewrites those partitions from
 * every raw file of those days, the tables are registered through the query server, and only then the
 * dataset's state records the files as processed. Nothing new → nothing written.
 */
public final class EtlJob {
    private static final Map<String, DatasetModel> MODELS = Map.of(
            "payments", new PaymentsModel(),
            "customer_preferences", new PreferencesModel());

    private final Environment env;
    private final SparkSession spark;
    private final String nameNode;
    private final TableRegistrar registrar;
    private final Consumer<String> progress;

    public EtlJob(Environment env, SparkSession spark, String nameNode, HiveEndpoint queryServer, Consumer<String> progress) {
        this.env = env;
        this.spark = spark;
        this.nameNode = nameNode;
        this.registrar = new TableRegistrar(queryServer);
        this.progress = progress;
    }

    /** The models securelake ships, by dataset name. */
    public static Set<String> modelledDatasets() {
        return MODELS.keySet();
    }

    public RunSummary run(List<String> datasetNames) {
        String runId = Instant.now().toString().replaceAll("[^0-9]", "").substring(0, 14) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
        Instant start = Instant.now();
        List<RunSummary.DatasetRun> runs = new ArrayList<>();
        for (String name : datasetNames) {
            Dataset d = env.datasets().stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("environment " + env.name() + " has no dataset '" + name
                            + "' (it has " + env.datasets().stream().map(Dataset::name).toList() + ")"));
            DatasetModel model = MODELS.get(name);
            if (model == null) {
                throw new IllegalArgumentException("no ETL model for dataset '" + name + "' (modelled: " + MODELS.keySet() + ")");
            }
            runs.add(runDataset(d, model, runId));
        }
        return new RunSummary(env.name(), runId, start, Duration.between(start, Instant.now()), runs);
    }

    private RunSummary.DatasetRun runDataset(Dataset d, DatasetModel model, String runId) {
        Instant start = Instant.now();
        String rawDir = nameNode + env.names().rawPath(d);
        String curatedDir = nameNode + env.names().curatedPath(d);
        String database = env.names().hiveDatabase(d);
        try {
            FileSystem fs = FileSystem.get(java.net.URI.create(nameNode), spark.sparkContext().hadoopConfiguration());
            EtlState state = EtlState.load(fs, curatedDir);
            List<RawFiles.RawFile> all = RawFiles.list(fs, rawDir);
            List<RawFiles.RawFile> fresh = all.stream().filter(f -> !state.processed().contains(f.path())).toList();
            if (fresh.isEmpty()) {
                progress.accept(d.name() + ": no new raw files since run " + (state.lastRunId().isEmpty() ? "(none)" : state.lastRunId()));
                return new RunSummary.DatasetRun(d.name(), 0, List.of(), Duration.between(start, Instant.now()));
            }
            Set<String> days = fresh.stream().map(RawFiles.RawFile::dt).collect(Collectors.toCollection(java.util.TreeSet::new));
            List<String> inputs = all.stream().filter(f -> days.contains(f.dt())).map(f -> nameNode + f.path()).toList();
            progress.accept(d.name() + ": " + fresh.size() + " new raw file(s); rebuilding dt " + days + " from " + inputs.size() + " file(s)");
            String newest = nameNode + all.stream().filter(f -> days.contains(f.dt()))
                    .max(java.util.Comparator.comparingLong(RawFiles.RawFile::modified)).orElseThrow().path();
            org.apache.spark.sql.Dataset<Row> raw = RawCiphertext.read(spark, fs, inputs, newest);
            List<TableResult> results = model.write(new ModelContext(spark, database, curatedDir, runId, start.toEpochMilli()), raw);
            for (TableResult r : results) {
                progress.accept(String.format("%s: %s.%s  read %d, written %d, quarantined %d", d.name(), r.database(),
                        r.table(), r.rowsRead(), r.rowsWritten(), r.rowsQuarantined()));
            }
            progress.accept(d.name() + ": registering tables in " + database + " through the query server");
            // The query server only reads the curated zone: the job creates every table's directory itself.
            for (TableSpec t : model.tables(curatedDir)) {
                fs.mkdirs(new org.apache.hadoop.fs.Path(t.location()));
            }
            registrar.register(database, curatedDir, model.tables(curatedDir), progress);
            state.saveWith(fs, curatedDir, fresh.stream().map(RawFiles.RawFile::path).collect(Collectors.toCollection(LinkedHashSet::new)), runId);
            return new RunSummary.DatasetRun(d.name(), fresh.size(), results, Duration.between(start, Instant.now()));
        } catch (IOException e) {
            throw new UncheckedIOException("ETL of " + d.name() + " failed: " + e.getMessage(), e);
        }
    }
}
