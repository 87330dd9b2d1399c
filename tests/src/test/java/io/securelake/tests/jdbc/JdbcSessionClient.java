package io.securelake.tests.jdbc;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

/**
 * A person's Hive JDBC session, as an analyst's tool holds one, in a JVM whose class path is the Hive JDBC
 * standalone driver and this class (the driver bundles Hadoop classes of its own). It uses nothing but the
 * JDK, so it can run beside that jar alone. {@code JdbcSessionClient <jdbc url> <user>}; standard input: the
 * password, then one command per line:
 * <ul>
 * <li>{@code SQL <statement>}: runs it in the current session (opened on first use);</li>
 * <li>{@code SESSION <key>=<value>}: closes the session and opens a new one with that setting in the URL
 * ({@code ?key=value}, sent as {@code hiveconf} when the session opens), then runs {@code SELECT 1} in it;</li>
 * <li>{@code DATABASE <name>}: the same with that database in the URL (the session opens with {@code USE name}).</li>
 * </ul>
 * An {@code ERR} answer carries the driver's message and, after it, every stack frame the server sent along (the
 * driver rebuilds them as the exception's causes), so that a caller can tell when a client was sent a stack trace.
 * Each command answers one line on standard output: {@code OK <base64 of the rows>} (cells joined by
 * {@code |}, {@code NULL} for null, rows by newlines) or {@code ERR <base64 of the driver's message>}.
 */
public final class JdbcSessionClient {
    private static final int MAX_ROWS = 50;

    private JdbcSessionClient() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        // The driver and its bundled libraries may print to System.out: answers go to the real stdout only.
        PrintStream answers = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String password = in.readLine();
        Connection session = null;
        String line;
        while ((line = in.readLine()) != null) {
            int space = line.indexOf(' ');
            String command = space < 0 ? line : line.substring(0, space);
            String argument = space < 0 ? "" : line.substring(space + 1);
            try {
                String sql = argument;
                if (command.equals("SESSION") || command.equals("DATABASE")) {
                    close(session);
                    session = null;
                    String opened = command.equals("SESSION") ? url + "?" + argument : withDatabase(url, argument);
                    session = DriverManager.getConnection(opened, user, password);
                    sql = "SELECT 1";
                } else if (!command.equals("SQL")) {
                    throw new SQLException("unknown command " + command);
                }
                if (session == null) {
                    session = DriverManager.getConnection(url, user, password);
                }
                answers.println("OK " + encode(run(session, sql)));
            } catch (SQLException e) {
                answers.println("ERR " + encode(e.getMessage() + serverFrames(e)));
            }
        }
        close(session);
    }

    /** {@code jdbc:hive2://host:port/;…} with {@code database} in the path. */
    private static String withDatabase(String url, String database) {
        int path = url.indexOf('/', "jdbc:hive2://".length());
        return url.substring(0, path + 1) + database + url.substring(path + 1);
    }

    /**
     * What the server sent beside its message ({@code TStatus.infoMessages}): the driver turns a server's answer into a
     * {@code HiveSQLException} whose causes it rebuilds from those lines, frames included. The frames of the causes
     * before it (the driver's own, e.g. a transport refused with HTTP 403) are this JVM's and are left out.
     */
    private static String serverFrames(Throwable e) {
        StringBuilder frames = new StringBuilder();
        boolean fromServer = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (fromServer) {
                for (StackTraceElement frame : t.getStackTrace()) {
                    frames.append("\n\tat ").append(frame);
                }
            }
            fromServer |= t.getClass().getSimpleName().equals("HiveSQLException");
        }
        return frames.toString();
    }

    private static String run(Connection session, String sql) throws SQLException {
        try (Statement s = session.createStatement()) {
            if (!s.execute(sql)) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            try (ResultSet r = s.getResultSet()) {
                int columns = r.getMetaData().getColumnCount();
                for (int row = 0; row < MAX_ROWS && r.next(); row++) {
                    if (row > 0) {
                        out.append('\n');
                    }
                    for (int c = 1; c <= columns; c++) {
                        String v = r.getString(c);
                        out.append(c > 1 ? "|" : "").append(v == null ? "NULL" : v);
                    }
                }
            }
            return out.toString();
        }
    }

    private static void close(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // the session is being replaced or the client ends; the server times it out
        }
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
