package io.securelake.warehouse.etl;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.ServiceRole;
import io.securelake.warehouse.query.HiveEndpoint;
import io.securelake.warehouse.spark.SparkHadoop;
import io.securelake.warehouse.spark.SparkJvm;
import io.securelake.warehouse.spark.StackConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of an ETL run's JVM: {@code EtlJobMain --env dev --envs-dir envs --endpoints endpoints.json
 * --state-dir <dir> --query-port <port> [--query-host <host>] [--query-principal <principal>]
 * [--dataset payments]…}. Spark runs in local mode unless a master is configured ({@code spark.master},
 * as {@code spark-submit --master yarn|k8s://…} sets it): then the same job runs there. Logs in as the
 * environment's ETL principal, prints progress, writes {@code <state-dir>/last-run.json}; exit code 0 on success.
 */
public final class EtlJobMain {
    private EtlJobMain() {
    }

    public static void main(String[] args) throws Exception {
        String envName = null;
        Path envsDir = null;
        Path endpoints = null;
        Path stateDir = null;
        int queryPort = -1;
        String queryHost = io.securelake.envs.EnvironmentNames.LOCAL_QUERY_HOST;
        String queryPrincipal = null;
        List<String> datasets = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--env" -> envName = args[++i];
                case "--envs-dir" -> envsDir = Path.of(args[++i]);
                case "--endpoints" -> endpoints = Path.of(args[++i]);
                case "--state-dir" -> stateDir = Path.of(args[++i]);
                case "--query-port" -> queryPort = Integer.parseInt(args[++i]);
                case "--query-host" -> queryHost = args[++i];
                case "--query-principal" -> queryPrincipal = args[++i];
                case "--dataset" -> datasets.add(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (envName == null || envsDir == null || endpoints == null || stateDir == null || queryPort <= 0) {
            usage("--env, --envs-dir, --endpoints, --state-dir and --query-port are required");
        }
        Files.createDirectories(stateDir);
        StackConnection conn = StackConnection.read(endpoints);
        SparkJvm.prepare(conn.krb5Conf(), stateDir);
        Environment env = EnvironmentCatalog.of(envsDir).load(envName);
        if (datasets.isEmpty()) {
            env.datasets().stream().map(io.securelake.envs.Dataset::name).filter(EtlJob.modelledDatasets()::contains)
                    .forEach(datasets::add);
        }
        String principal = conn.qualify(env.names().servicePrincipal(ServiceRole.ETL));
        Map<String, String> hadoop = SparkHadoop.clientSettings(env, conn.nameNode(), conn.nameNodePrincipal());
        SparkHadoop.login(hadoop, principal, conn.keytab(principal));
        System.out.println("[etl] logged in as " + principal);

        SparkSession.Builder builder = SparkSession.builder().appName("securelake-etl-" + env.name())
                // The job's correctness depends on these two: a day's partitions are rewritten, never the
                // whole table, and dt comes from UTC event times.
                .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .config("spark.sql.session.timeZone", "UTC");
        sparkDefaults(System.getProperties(), stateDir).forEach(builder::config);
        SparkHadoop.sparkConf(hadoop).forEach(builder::config);
        HiveEndpoint queryServer = new HiveEndpoint(queryHost, queryPort,
                conn.qualify(queryPrincipal != null ? queryPrincipal
                        : io.securelake.envs.EnvironmentNames.hostPrincipal(io.securelake.envs.EnvironmentNames.HTTP_SERVICE, queryHost)),
                conn.truststore(), conn.truststorePassword());
        try (SparkSession spark = builder.getOrCreate()) {
            RunSummary summary = new EtlJob(env, spark, conn.nameNode(), queryServer,
                    line -> System.out.println("[etl] " + line)).run(datasets);
            Files.writeString(stateDir.resolve("last-run.json"), summary.toJson().toPrettyString());
            System.out.println(summary.toTable());
        } catch (RuntimeException e) {
            System.err.println("[etl] failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * Settings for a run on the local stack, each only where the deployment did not configure it: a master
     * given by {@code spark-submit --master yarn|k8s://…} (or {@code -Dspark.master}) wins, and so do its
     * shuffle partitions and warehouse directory; without them the job runs in this JVM.
     */
    static Map<String, String> sparkDefaults(java.util.Properties configured, Path stateDir) {
        Map<String, String> defaults = new java.util.LinkedHashMap<>();
        defaults.put("spark.master", "local[2]");
        defaults.put("spark.ui.enabled", "false");
        defaults.put("spark.sql.shuffle.partitions", "4");
        defaults.put("spark.sql.warehouse.dir", stateDir.resolve("warehouse").toUri().toString());
        defaults.keySet().removeIf(key -> {
            String value = configured.getProperty(key);
            return value != null && !value.isBlank();
        });
        return defaults;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: EtlJobMain --env <env> --envs-dir <dir> --endpoints <endpoints.json> --state-dir <dir> "
                + "--query-port <port> [--query-host <host>] [--query-principal <principal>] [--dataset <name>]...");
        System.exit(2);
    }
}
