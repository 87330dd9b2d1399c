package io.securelake.devstack.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.envs.Environment;
import io.securelake.operations.connect.StackHome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Work that runs on Spark's class path in a JVM of its own, on demand: an ETL run (Spark local mode as
 * the environment's ETL principal) and a person's query through the gateway (Hive JDBC). Output lines
 * are passed on as they come.
 */
public final class WarehouseJobs {
    static final String ETL_MAIN = "io.securelake.warehouse.etl.EtlJobMain";
    static final String QUERY_MAIN = "io.securelake.warehouse.query.QueryClientMain";

    /** What a finished child said and how it ended. */
    public record Outcome(int exitCode, List<String> output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final Environment env;
    private final PolicyEnforcement layout;
    private final StackHome home;
    private final Distribution dist;

    public WarehouseJobs(Environment env, PolicyEnforcement layout, StackHome home, Distribution dist) {
        this.env = env;
        this.layout = layout;
        this.home = home;
        this.dist = dist;
    }

    public Path etlStateDir() {
        return home.root().resolve("etl");
    }

    /** Runs the ETL for the datasets (all modelled ones when empty) against the running local stack. */
    public Outcome runEtl(List<String> datasets, Consumer<String> lines) {
        try {
            // owner-only before the job creates it: the stack home is traversable by the services' OS users
            Files.createDirectories(etlStateDir());
            Files.setPosixFilePermissions(etlStateDir(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + etlStateDir(), e);
        }
        int queryPort = LocalPorts.loadOrAllocate(home.portsFile()).queryServer();
        List<String> args = new ArrayList<>(List.of("--env", env.name(), "--envs-dir", layout.envsDir().toAbsolutePath().toString(),
                "--endpoints", home.endpointsFile().toString(), "--state-dir", etlStateDir().toString(),
                "--query-port", Integer.toString(queryPort)));
        datasets.forEach(d -> {
            args.add("--dataset");
            args.add(d);
        });
        List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j2.configurationFile=" + writeQuietLogging()));
        jvm.addAll(QueryService.SPARK_JVM_OPTIONS);
        return run(jvm, ETL_MAIN, args, null, lines);
    }

    /** The summary of the last successful ETL run, if any. */
    public Optional<JsonNode> lastEtlRun() {
        Path f = etlStateDir().resolve("last-run.json");
        try {
            return Files.exists(f) ? Optional.of(new ObjectMapper().readTree(f.toFile())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Runs one statement as {@code user} through the gateway's Hive endpoint; the password goes over stdin. */
    public Outcome query(String jdbcUrl, String user, String password, String sql, Consumer<String> lines) {
        List<String> jvm = List.of("-Xmx256m", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j2.configurationFile=" + writeQuietLogging());
        return run(jvm, QUERY_MAIN, List.of("--url", jdbcUrl, "--user", user, "--env", env.name(), sql), password, lines);
    }

    private Outcome run(List<String> jvmOptions, String main, List<String> args, String stdinLine, Consumer<String> lines) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", dist.classPath(QueryService.MODULE), main));
        command.addAll(args);
        List<String> output = new ArrayList<>();
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdinLine != null) {
                    in.write((stdinLine + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.add(line);
                    lines.accept(line);
                }
            }
            return new Outcome(p.waitFor(), List.copyOf(output));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + main + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + main, e);
        }
    }

    /** Spark and Hive log at INFO by default; a terminal shows only warnings and securelake's own lines. */
    private Path writeQuietLogging() {
        Path f = home.root().resolve("spark-client-log4j2.properties");
        if (!Files.exists(f)) {
            try {
                Files.writeString(f, String.join("\n",
                        "rootLogger.level = warn",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.type = File",
                        "appender.file.name = file",
                        "appender.file.fileName = " + home.logsDir().resolve("spark-clients.log"),
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{ISO8601} %-5p [%t] %c{1}: %m%n", ""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return f;
    }
}
