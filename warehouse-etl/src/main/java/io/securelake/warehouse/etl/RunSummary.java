package io.securelake.warehouse.etl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What an ETL run did, per dataset and table; printed as a table and written as JSON for the CLI. */
public record RunSummary(String environment, String runId, Instant started, Duration duration, List<DatasetRun> datasets) {

    public record DatasetRun(String dataset, int newFiles, List<TableResult> tables, Duration duration) {
    }

    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode n = m.createObjectNode().put("environment", environment).put("run_id", runId)
                .put("started", started.toString()).put("duration_ms", duration.toMillis());
        ArrayNode ds = n.putArray("datasets");
        for (DatasetRun d : datasets) {
            ObjectNode dn = ds.addObject().put("dataset", d.dataset()).put("new_files", d.newFiles())
                    .put("duration_ms", d.duration().toMillis());
            ArrayNode ts = dn.putArray("tables");
            for (TableResult t : d.tables()) {
                ts.addObject().put("table", t.database() + "." + t.table()).put("rows_read", t.rowsRead())
                        .put("rows_written", t.rowsWritten()).put("rows_quarantined", t.rowsQuarantined());
            }
        }
        return n;
    }

    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-48s %10s %10s %12s%n", "table", "read", "written", "quarantined"));
        for (DatasetRun d : datasets) {
            if (d.tables().isEmpty()) {
                sb.append(String.format("%-48s %s%n", d.dataset(), "(no new raw files)"));
            }
            for (TableResult t : d.tables()) {
                sb.append(String.format("%-48s %10d %10d %12d%n", t.database() + "." + t.table(), t.rowsRead(),
                        t.rowsWritten(), t.rowsQuarantined()));
            }
        }
        sb.append(String.format("run %s of %s took %.1f s", runId, environment, duration.toMillis() / 1000.0));
        return sb.toString();
    }
}
