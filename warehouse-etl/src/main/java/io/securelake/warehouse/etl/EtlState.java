package io.securelake.warehouse.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Which raw files a dataset's tables already include, kept in the curated zone beside the tables
 * ({@code <curated>/<dataset>/_etl/state.json}; Spark and Hive ignore names starting with {@code _}).
 * It is replaced only after the tables and their registration succeeded: a run that fails or crashes
 * leaves the previous state, and the next run rebuilds the same partitions again (idempotent).
 */
final class EtlState {
    private final Set<String> processed;
    private final String lastRunId;

    private EtlState(Set<String> processed, String lastRunId) {
        this.processed = processed;
        this.lastRunId = lastRunId;
    }

    static Path file(String curatedDir) {
        return new Path(curatedDir + "/_etl/state.json");
    }

    static EtlState load(FileSystem fs, String curatedDir) throws IOException {
        Path f = file(curatedDir);
        if (!fs.exists(f)) {
            return new EtlState(new TreeSet<>(), "");
        }
        try (InputStream in = fs.open(f)) {
            JsonNode n = new ObjectMapper().readTree(in);
            Set<String> files = new TreeSet<>();
            n.path("processed_files").forEach(x -> files.add(x.asText()));
            return new EtlState(files, n.path("last_run_id").asText(""));
        }
    }

    Set<String> processed() {
        return Set.copyOf(processed);
    }

    String lastRunId() {
        return lastRunId;
    }

    /** Writes the new state next to the old one, then renames it over (HDFS rename is atomic). */
    void saveWith(FileSystem fs, String curatedDir, Set<String> added, String runId) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode().put("last_run_id", runId);
        ArrayNode files = n.putArray("processed_files");
        Set<String> all = new TreeSet<>(processed);
        all.addAll(added);
        all.forEach(files::add);
        Path target = file(curatedDir);
        Path tmp = new Path(target.getParent(), "." + runId + ".tmp");
        fs.mkdirs(target.getParent());
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(json.writerWithDefaultPrettyPrinter().writeValueAsString(n).getBytes(StandardCharsets.UTF_8));
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }
}
