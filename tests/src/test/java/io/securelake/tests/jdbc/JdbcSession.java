package io.securelake.tests.jdbc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test's handle on a {@link JdbcSessionClient} child JVM: one person's session through the gateway,
 * with the standard Hive JDBC driver (not the project's own client code).
 */
public final class JdbcSession implements AutoCloseable {
    /** What the server answered to one command. */
    public record Answer(boolean ok, String text) {
    }

    private final Process process;
    private final Writer commands;
    private final BufferedReader answers;

    private JdbcSession(Process process) {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * @param driverJar the Hive JDBC standalone jar (tests/target/hive-jdbc, copied by the build)
     * @param log       where the child's own output (driver logging) goes
     */
    public static JdbcSession open(Path driverJar, String url, String user, String password, Path log) throws IOException {
        if (!Files.isRegularFile(driverJar)) {
            throw new IllegalStateException("the Hive JDBC driver is missing: " + driverJar + " (the tests module's build copies it)");
        }
        Path classes;
        try {
            classes = Path.of(JdbcSessionClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-cp", driverJar + java.io.File.pathSeparator + classes,
                JdbcSessionClient.class.getName(), url, user))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        JdbcSession s = new JdbcSession(p);
        s.commands.write(password + "\n");
        s.commands.flush();
        return s;
    }

    public Answer sql(String statement) throws IOException {
        return send("SQL " + statement);
    }

    /** A new session with {@code key=value} in the JDBC URL; answers its first statement, SELECT 1. */
    public Answer newSession(String setting) throws IOException {
        return send("SESSION " + setting);
    }

    /** Opens a new session in {@code database} (in the JDBC URL) and runs {@code SELECT 1} in it. */
    public Answer newSessionIn(String database) throws IOException {
        return send("DATABASE " + database);
    }

    private Answer send(String command) throws IOException {
        if (command.contains("\n")) {
            throw new IllegalArgumentException("one line per command: " + command);
        }
        commands.write(command + "\n");
        commands.flush();
        String line = answers.readLine();
        if (line == null) {
            throw new IOException("the JDBC client ended (exit " + waitExit() + ") before answering: " + command);
        }
        boolean ok = line.startsWith("OK ");
        if (!ok && !line.startsWith("ERR ")) {
            throw new IOException("unexpected answer from the JDBC client: " + line);
        }
        String text = new String(Base64.getDecoder().decode(line.substring(line.indexOf(' ') + 1)), StandardCharsets.UTF_8);
        return new Answer(ok, text);
    }

    private int waitExit() {
        try {
            return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        commands.close();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
