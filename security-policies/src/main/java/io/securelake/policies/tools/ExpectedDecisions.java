package io.securelake.policies.tools;

import io.securelake.envs.RangerServiceType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The table of expected decisions kept beside an environment's policies ({@code expected-decisions.csv}):
 * {@code service,user,resource,access,expected}. Resources are {@code key=value} elements joined by
 * {@code ;} (hdfs paths contain slashes). Expected is {@code allow}, {@code deny}, {@code mask:<TYPE>},
 * {@code mask:none}, {@code rowfilter:<expression>} or {@code rowfilter:none}. Fields with commas are
 * double-quoted; lines starting with {@code #} are comments.
 */
public final class ExpectedDecisions {

    public record Row(int line, RangerServiceType service, String user, Map<String, String> resource,
                      String access, String expected) {
        public String resourceString() {
            return format(resource);
        }
    }

    private ExpectedDecisions() {
    }

    public static final String HEADER = "service,user,resource,access,expected";

    public static List<Row> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read expected decisions " + file, e);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.equals(HEADER)) {
                continue;
            }
            List<String> f = split(line);
            if (f.size() != 5) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected 5 fields (" + HEADER + "), found " + f.size());
            }
            RangerServiceType type;
            try {
                type = RangerServiceType.valueOf(f.get(0).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": unknown service '" + f.get(0) + "' (kafka, hdfs, hive, knox)", e);
            }
            rows.add(new Row(i + 1, type, f.get(1), parseResource(file, i + 1, f.get(2)), f.get(3), f.get(4)));
        }
        return rows;
    }

    public static void write(Path file, List<Row> rows) {
        StringBuilder sb = new StringBuilder("# Expected decisions of the real Ranger engine over this directory's policies (securelake policy test).\n");
        sb.append(HEADER).append('\n');
        for (Row r : rows) {
            sb.append(String.join(",", r.service().serviceDefName(), quote(r.user()), quote(r.resourceString()),
                    quote(r.access()), quote(r.expected()))).append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String format(Map<String, String> resource) {
        return String.join(";", resource.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    static Map<String, String> parseResource(Path file, int line, String s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String el : s.split(";")) {
            int eq = el.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + ":" + line + ": resource element '" + el + "' is not key=value");
            }
            m.put(el.substring(0, eq).strip(), el.substring(eq + 1).strip());
        }
        return m;
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }
}
