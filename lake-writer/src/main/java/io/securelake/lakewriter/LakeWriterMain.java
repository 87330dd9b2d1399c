package io.securelake.lakewriter;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.kerberos.KerberosJvm;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The lake-writer process. Two ways to say where the services are:
 * <pre>
 *   java … io.securelake.lakewriter.LakeWriterMain --env dev --envs-dir envs \
 *        --endpoints .securelake/dev/endpoints.json --state-dir .securelake/dev/lake-writer \
 *        [--schemas-dir envs/schemas] [--set key=value]… [--exit-on-stdin-eof]
 *   java … io.securelake.lakewriter.LakeWriterMain --config writer.properties --envs-dir envs [--set key=value]…
 * </pre>
 * With {@code --endpoints} (a running local stack's endpoints.json) everything else is derived: the
 * environment's lake-writer principal and its keytab, Kafka, HDFS. {@code --config} takes the
 * {@link LakeWriterConfig} keys, for real clusters. Progress lines ({@link WriterEventText}) go to stdout; SIGTERM stops gracefully
 * (open batches committed); SIGKILL at any moment loses nothing (the next start recovers).
 * Exit codes: 0 stopped, 1 failed, 2 usage.
 */
public final class LakeWriterMain {

    private LakeWriterMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.in));
    }

    static int run(String[] args, PrintStream out, PrintStream err, InputStream stdin) {
        Map<String, String> props = new HashMap<>();
        String env = null;
        Path envsDir = null;
        Path endpoints = null;
        Path configFile = null;
        boolean exitOnStdinEof = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--env" -> env = args[++i];
                    case "--envs-dir" -> envsDir = Path.of(args[++i]);
                    case "--endpoints" -> endpoints = Path.of(args[++i]);
                    case "--state-dir" -> props.put(LakeWriterConfig.STATE_DIR, args[++i]);
                    case "--schemas-dir" -> props.put(LakeWriterConfig.SCHEMAS_DIR, args[++i]);
                    case "--config" -> configFile = Path.of(args[++i]);
                    case "--exit-on-stdin-eof" -> exitOnStdinEof = true;
                    case "--set" -> {
                        String kv = args[++i];
                        int eq = kv.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--set expects key=value, got '" + kv + "'");
                        }
                        props.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                    case "--help", "-h" -> {
                        out.println("usage: LakeWriterMain --env <env> --envs-dir <dir> --endpoints <endpoints.json> "
                                + "--state-dir <dir> [--schemas-dir <dir>] [--set key=value]... [--exit-on-stdin-eof]\n"
                                + "       LakeWriterMain --config <writer.properties> --envs-dir <dir> [--set key=value]...\n\n"
                                + "configuration keys:\n" + LakeWriterConfig.DEFINITION.toRst());
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (envsDir == null) {
                throw new IllegalArgumentException("--envs-dir is required");
            }
            if (configFile != null) {
                Properties p = new Properties();
                try (var in = Files.newBufferedReader(configFile)) {
                    p.load(in);
                }
                Map<String, String> fromFile = new HashMap<>();
                p.stringPropertyNames().forEach(k -> fromFile.put(k, p.getProperty(k)));
                fromFile.putAll(props);
                props = fromFile;
                env = props.get(LakeWriterConfig.ENVIRONMENT);
            } else if (env == null || endpoints == null || !props.containsKey(LakeWriterConfig.STATE_DIR)) {
                throw new IllegalArgumentException("--env, --endpoints and --state-dir are required (or --config)");
            }
        } catch (ArrayIndexOutOfBoundsException | IllegalArgumentException | IOException e) {
            err.println("lake-writer: " + (e instanceof ArrayIndexOutOfBoundsException ? "missing value for the last option" : e.getMessage()));
            err.println("run with --help for usage");
            return 2;
        }
        LakeWriter writer;
        try {
            Environment environment = EnvironmentCatalog.of(envsDir).load(env);
            props.putIfAbsent(LakeWriterConfig.SCHEMAS_DIR, SchemaCatalog.besideEnvironments(envsDir).toString());
            if (endpoints != null) {
                fromEndpoints(environment, endpoints, props);
            }
            LakeWriterConfig config = LakeWriterConfig.from(props);
            // JVM-wide: which krb5.conf the JDK reads is this process's choice, made here and nowhere else.
            config.krb5Conf().ifPresent(KerberosJvm::useKrb5Conf);
            // The real clients: a keytab login, Kerberized HDFS and Kafka. Events become text here, at the edge.
            writer = LakeWriter.create(config, environment, WriterClients.kerberized(config, environment), event -> {
                out.println(WriterEventText.line(Instant.now(), event));
                out.flush();
            });
        } catch (RuntimeException e) { // a broken endpoints file is a ContractException naming file and field
            err.println("lake-writer: cannot start: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(writer::close, "lake-writer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (exitOnStdinEof) {
            // The launcher holds our stdin; when it dies the pipe closes and we stop with it.
            Thread watcher = new Thread(() -> {
                try {
                    while (stdin.read() >= 0) {
                        // discard
                    }
                } catch (IOException ignored) {
                    // treated as EOF
                }
                writer.close();
            }, "lake-writer-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            writer.run();
            return 0;
        } catch (RuntimeException e) {
            err.println("lake-writer: " + e.getMessage());
            return 1;
        }
    }

    /** Fills the service settings from a running stack's endpoints.json (as written by the core process). */
    static void fromEndpoints(Environment env, Path endpointsFile, Map<String, String> props) {
        CoreEndpoints e = CoreEndpoints.read(endpointsFile);
        String principal = env.names().qualified(env.names().servicePrincipal(ServiceRole.LAKE_WRITER));
        String keytab = e.keytab(principal, endpointsFile);
        if (e.caPem() == null) {
            throw new IllegalArgumentException(endpointsFile + " names no CA ('ca_pem'): the writer verifies Kafka's certificate with it");
        }
        props.putIfAbsent(LakeWriterConfig.ENVIRONMENT, env.name());
        props.putIfAbsent(LakeWriterConfig.BOOTSTRAP_SERVERS, e.kafkaBootstrap());
        props.putIfAbsent(LakeWriterConfig.SSL_CA_PEM, e.caPem());
        props.putIfAbsent(LakeWriterConfig.KRB5_CONF, e.krb5Conf());
        props.putIfAbsent(LakeWriterConfig.PRINCIPAL, principal);
        props.putIfAbsent(LakeWriterConfig.KEYTAB, keytab);
        props.putIfAbsent(LakeWriterConfig.NAMENODE, e.hdfsNameNode());
        props.putIfAbsent(LakeWriterConfig.NAMENODE_PRINCIPAL, e.hdfsPrincipal());
        // One writer per environment: static membership lets a restarted writer take its partitions back at once.
        props.putIfAbsent(LakeWriterConfig.GROUP_INSTANCE_ID, env.names().lakeWriterConsumerGroup() + ".writer-1");
    }
}
