package io.securelake.warehouse.query;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A person's query through the gateway with Hive JDBC, as {@code securelake query} runs it:
 * {@code QueryClientMain --url <knox jdbc url> --user alice --env dev "SELECT …"}, the password on the first line
 * of standard input (never on the command line, where other users of the machine could see it).
 * Prints the result as a table. Like beeline, {@code !schemas}, {@code !tables [schema]} and
 * {@code !columns [schema] table} list metadata. Exit 0 on success, 1 when refused or failed, 2 on wrong usage.
 */
public final class QueryClientMain {
    static final int MAX_ROWS = 1000;
    static final int MAX_WIDTH = 48;

    private QueryClientMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String user = null;
        String env = "the environment";
        String sql = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--user" -> user = args[++i];
                case "--env" -> env = args[++i];
                default -> sql = args[i];
            }
        }
        if (url == null || user == null || sql == null) {
            System.err.println("usage: QueryClientMain --url <jdbc url> --user <name> [--env <name>] <sql>  (password on stdin)");
            System.exit(2);
        }
        String password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        System.exit(run(url, user, password == null ? "" : password, sql, env, System.out, System.err));
    }

    /** Runs {@code sql}; {@code env} names the environment in failure messages. Returns the exit code. */
    static int run(String url, String user, String password, String sql, String env, PrintStream out, PrintStream err) {
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection(url, user, password);
             Statement s = c.createStatement()) {
            if (sql.startsWith("!")) {
                // beeline's metadata commands, answered by JDBC's DatabaseMetaData (getSchemas/getTables/getColumns)
                String[] words = sql.substring(1).trim().split("\\s+");
                java.sql.DatabaseMetaData md = c.getMetaData();
                try (ResultSet r = switch (words[0]) {
                    case "schemas" -> md.getSchemas(null, "%");
                    case "tables" -> md.getTables(null, words.length > 1 ? words[1] : null, "%", null);
                    case "columns" -> md.getColumns(null, words.length > 2 ? words[1] : null, words[words.length - 1], "%");
                    default -> throw new SQLException("unknown command !" + words[0] + " (known: !schemas, !tables [schema], !columns [schema] table)");
                }) {
                    out.printf("%d row(s)%n", printTable(r, out));
                }
            } else if (s.execute(sql)) {
                try (ResultSet r = s.getResultSet()) {
                    int rows = printTable(r, out);
                    out.printf("%d row(s)%s in %d ms%n", rows, rows >= MAX_ROWS ? " (first " + MAX_ROWS + " shown)" : "",
                            (System.nanoTime() - start) / 1_000_000);
                }
            } else {
                out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
            }
            return 0;
        } catch (SQLException e) {
            err.println("query refused or failed for user " + user + ": " + QueryFailure.explain(e, env));
            return 1;
        }
    }

    static int printTable(ResultSet r, PrintStream out) throws SQLException {
        ResultSetMetaData md = r.getMetaData();
        int n = md.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[n];
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            header[i] = md.getColumnLabel(i + 1);
            width[i] = Math.min(MAX_WIDTH, header[i].length());
        }
        while (rows.size() < MAX_ROWS && r.next()) {
            String[] row = new String[n];
            for (int i = 0; i < n; i++) {
                String v = r.getString(i + 1);
                row[i] = v == null ? "NULL" : v.length() > MAX_WIDTH ? v.substring(0, MAX_WIDTH - 1) + "…" : v;
                width[i] = Math.max(width[i], row[i].length());
            }
            rows.add(row);
        }
        out.println(line(header, width));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < n; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.println(rule);
        for (String[] row : rows) {
            out.println(line(row, width));
        }
        return rows.size();
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", cells[i]));
        }
        return sb.toString();
    }
}
