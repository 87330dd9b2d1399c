package io.securelake.ingest.schema;

import io.securelake.encryption.Classification;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Decides whether a new schema version may be published. Producers move to the new version while
 * consumers (the lake-writer, ETL jobs) may still read with an older one, and the raw zone keeps data of
 * every version, so a candidate must be <em>fully</em> compatible, by Avro's resolution rules, with each
 * version readers still use: it reads their data (backward) and they read its data (forward).
 * Classifications may not change on a field that exists in both: declassifying would put clear values
 * next to ciphertext, and (re)classifying would make readers try to decrypt old clear values.
 */
public final class SchemaEvolution {

    private SchemaEvolution() {
    }

    public static CompatibilityReport check(DatasetSchema candidate, Collection<DatasetSchema> versionsInUse) {
        List<CompatibilityReport.Problem> problems = new ArrayList<>();
        for (DatasetSchema old : versionsInUse) {
            if (old.version() == candidate.version()) {
                continue;
            }
            SchemaPairCompatibility backward =
                    SchemaCompatibility.checkReaderWriterCompatibility(candidate.avro(), old.avro());
            describe(backward, candidate.avro(), old.version(), "backward", problems);
            SchemaPairCompatibility forward =
                    SchemaCompatibility.checkReaderWriterCompatibility(old.avro(), candidate.avro());
            describe(forward, old.avro(), old.version(), "forward", problems);
            for (Map.Entry<String, Classification> e : old.classifications().entrySet()) {
                String path = e.getKey();
                Classification now = candidate.classifications().get(path);
                if (now == null && fieldExists(candidate, path)) {
                    problems.add(new CompatibilityReport.Problem(old.version(), "classification",
                            "field '" + path + "' was " + e.getValue().label()
                                    + " and would become clear; a classification can never be removed"));
                } else if (now != null && now != e.getValue()) {
                    problems.add(new CompatibilityReport.Problem(old.version(), "classification",
                            "field '" + path + "' would change from " + e.getValue().label()
                                    + " to " + now.label()
                                    + "; add a new field instead so old and new values are not mixed"));
                }
            }
            for (Map.Entry<String, Classification> e : candidate.classifications().entrySet()) {
                if (!old.classifications().containsKey(e.getKey()) && fieldExists(old, e.getKey())) {
                    problems.add(new CompatibilityReport.Problem(old.version(), "classification",
                            "field '" + e.getKey() + "' holds clear values in v" + old.version()
                                    + " and would become " + e.getValue().label()
                                    + "; classify a new field instead"));
                }
            }
            if (!old.subjectField().equals(candidate.subjectField())) {
                problems.add(new CompatibilityReport.Problem(old.version(), "classification",
                        "the subject field would change from " + old.subjectField().orElse("(none)") + " to "
                                + candidate.subjectField().orElse("(none)")
                                + "; crypto-shredding of existing data depends on it"));
            }
        }
        return new CompatibilityReport(candidate.dataset(), candidate.version(), problems);
    }

    private static boolean fieldExists(DatasetSchema schema, String path) {
        org.apache.avro.Schema current = schema.avro();
        for (String part : path.split("\\.")) {
            if (current.getType() != org.apache.avro.Schema.Type.RECORD || current.getField(part) == null) {
                return false;
            }
            current = current.getField(part).schema();
        }
        return true;
    }

    private static void describe(SchemaPairCompatibility result, org.apache.avro.Schema reader, int version, String rule,
                                 List<CompatibilityReport.Problem> problems) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        String who = rule.equals("backward") ? "the new version cannot read data written with v" + version
                : "readers of v" + version + " cannot read data written with the new version";
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            problems.add(new CompatibilityReport.Problem(version, rule, who + ": " + i.getType() + " at field '"
                    + fieldPath(reader, i.getLocation()) + "': " + i.getMessage()));
        }
    }

    /** Turns Avro's JSON-pointer location ({@code /fields/14/type}) into a field path ({@code response_code}). */
    static String fieldPath(org.apache.avro.Schema schema, String location) {
        StringBuilder path = new StringBuilder();
        org.apache.avro.Schema current = schema;
        String[] parts = location.split("/");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("fields") && i + 1 < parts.length && current != null
                    && current.getType() == org.apache.avro.Schema.Type.RECORD) {
                int index = Integer.parseInt(parts[++i]);
                if (index >= current.getFields().size()) {
                    break;
                }
                org.apache.avro.Schema.Field f = current.getFields().get(index);
                path.append(path.length() == 0 ? "" : ".").append(f.name());
                current = f.schema();
            } else if (parts[i].equals("union") && i + 1 < parts.length && current != null
                    && current.getType() == org.apache.avro.Schema.Type.UNION) {
                current = current.getTypes().get(Integer.parseInt(parts[++i]));
            }
        }
        return path.length() == 0 ? location : path.toString();
    }
}
