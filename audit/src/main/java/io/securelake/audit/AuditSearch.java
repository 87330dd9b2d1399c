package io.securelake.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Searches a local trail ({@code .securelake/<env>/audit/}) for auditors, oldest first, and renders
 * results as a table or JSON. Search does not verify integrity: use {@link AuditVerifier} for that.
 */
public final class AuditSearch {
    private final Path directory;

    private AuditSearch(Path directory) {
        this.directory = directory;
    }

    public static AuditSearch in(Path directory) {
        return new AuditSearch(directory);
    }

    public List<AuditRecord> find(AuditQuery query) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("no audit trail at " + directory.toAbsolutePath()
                    + " (has the environment been started, and are you reading the right one?)");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> JsonLinesAuditSink.FILE_NAME.matcher(p.getFileName().toString()).matches())
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list audit trail " + directory, e);
        }
        List<AuditRecord> out = new ArrayList<>();
        for (Path file : files) {
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long lineNo = 0;
                while ((line = in.readLine()) != null) {
                    lineNo++;
                    AuditRecord r = parse(file, lineNo, line);
                    if (query.matches(r)) {
                        out.add(r);
                        if (out.size() >= query.limit()) {
                            return out;
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read audit file " + file, e);
            }
        }
        return out;
    }

    private static AuditRecord parse(Path file, long lineNo, String line) {
        try {
            JsonNode node = AuditJson.MAPPER.readTree(line);
            return AuditJson.MAPPER.treeToValue(node.get("record"), AuditRecord.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException(file + ":" + lineNo + " is not an audit line ("
                    + e.getMessage() + "); run audit verify", e);
        }
    }

    private static final String[] HEADERS = {"TIME", "STAGE", "USER", "CLIENT", "RESOURCE", "ACTION", "RESULT", "POLICY", "REASON"};

    /**
     * A fixed-width table, one record a row; long cells are cut with an ellipsis. Control characters and line
     * breaks in any field are shown escaped ({@link TerminalText}), so a record cannot forge rows or recolour
     * the terminal.
     */
    public static String table(List<AuditRecord> records) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (AuditRecord r : records) {
            String[] row = {r.time().toString(), r.stage(), r.user(), nullToDash(r.clientAddress()),
                    r.resource(), r.action(), r.summary() == null ? r.result().name()
                    : r.result().name() + " x" + r.summary().count() + " until " + r.summary().last(),
                    nullToDash(r.policy()), r.reason()};
            // Every cell, not only the user: any field may carry requester-chosen text (names, resources, reasons).
            for (int i = 0; i < row.length; i++) {
                row[i] = TerminalText.escape(row[i]);
            }
            rows.add(row);
        }
        int[] width = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.min(60, Math.max(width[i], row[i].length()));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                String cell = row[i].length() > width[i] ? row[i].substring(0, width[i] - 1) + "…" : row[i];
                sb.append(cell);
                if (i < row.length - 1) {
                    sb.append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            sb.append('\n');
        }
        sb.append(records.size()).append(records.size() == 1 ? " record\n" : " records\n");
        return sb.toString();
    }

    /** A JSON array of records, for scripts; every control character escaped, C1 and U+2028/2029 included. */
    public static String json(List<AuditRecord> records) {
        try {
            return AuditJson.MAPPER.writerWithDefaultPrettyPrinter().with(TerminalText.JSON_ESCAPES).writeValueAsString(records);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render audit records as JSON", e);
        }
    }

    /** One record as the JSON object used in the trail. */
    public static String json(AuditRecord record) {
        try {
            return AuditJson.MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render audit record as JSON", e);
        }
    }

    private static String nullToDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
