package io.securelake.warehouse.query;

import io.securelake.contracts.plugins.PolicyPluginSettings;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.HadoopClientSettings;
import io.securelake.envs.ServiceRole;
import io.securelake.warehouse.spark.LoginUserKeeper;
import io.securelake.warehouse.spark.SparkHadoop;
import io.securelake.warehouse.spark.SparkJvm;
import io.securelake.warehouse.spark.StackConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;

/**
 * One environment's query server: Spark SQL with a Hive metastore, Ranger's policies enforced on every
 * statement by the Ranger extension ({@code authz} package), served over the HiveServer2 protocol (HTTP transport, TLS,
 * Kerberos/SPNEGO). The server reads the curated zone as its own principal; it decides and audits as
 * the end user, which only the Knox gateway may assert ({@code doAs}).
 */
public final class QueryServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** How often the login user's TGT is looked at: as often as Hadoop lets it log in again. */
    private static final Duration LOGIN_CHECK = HadoopClientSettings.RELOGIN_FLOOR;
    /** Named, not referenced: Spark instantiates it from the session configuration. */
    static final String RANGER_EXTENSION = "io.securelake.warehouse.authz.RangerSparkExtension";

    private final SparkSession spark;
    private final HiveThriftServer2 server;
    private final HiveEndpoint endpoint;
    private final LoginUserKeeper login;

    private QueryServer(SparkSession spark, HiveThriftServer2 server, HiveEndpoint endpoint, LoginUserKeeper login) {
        this.spark = spark;
        this.server = server;
        this.endpoint = endpoint;
        this.login = login;
    }

    public HiveEndpoint endpoint() {
        return endpoint;
    }

    public SparkSession spark() {
        return spark;
    }

    public static QueryServer start(QueryServerConfig c, Consumer<String> log) {
        requireRangerExtension();
        StackConnection conn = StackConnection.read(c.endpoints());
        Environment env = EnvironmentCatalog.of(c.envsDir()).load(c.environment());
        String principal = conn.qualify(env.names().servicePrincipal(ServiceRole.QUERY));
        // Its own HTTP principal (HTTP/127.0.0.1), dialled by address: its keytab holds no key of HTTP/localhost,
        // the KMS's and WebHDFS's, so a compromised query server cannot accept or mint tickets meant for them.
        String host = EnvironmentNames.LOCAL_QUERY_HOST;
        String spnego = conn.qualify(EnvironmentNames.localQuerySpnegoPrincipal());
        Map<String, String> hadoop = new LinkedHashMap<>(SparkHadoop.clientSettings(env, conn.nameNode(), conn.nameNodePrincipal()));
        // Only the gateway may act for someone else, only from this machine, only for the environment's people.
        hadoop.put("hadoop.proxyuser." + c.gatewayUser() + ".hosts", "127.0.0.1,localhost");
        hadoop.put("hadoop.proxyuser." + c.gatewayUser() + ".users",
                env.people().stream().map(p -> env.names().personPrincipal(p)).collect(Collectors.joining(",")));
        SparkHadoop.login(hadoop, principal, conn.keytab(principal));
        log.accept("logged in as " + principal);

        Map<String, String> hive = new LinkedHashMap<>();
        hive.put("hive.server2.transport.mode", "http");
        hive.put("hive.server2.thrift.http.port", Integer.toString(c.port()));
        hive.put("hive.server2.thrift.http.path", QueryServerConfig.HTTP_PATH);
        hive.put("hive.server2.thrift.bind.host", host);
        hive.put("hive.server2.authentication", "KERBEROS");
        hive.put("hive.server2.authentication.kerberos.principal", principal);
        hive.put("hive.server2.authentication.kerberos.keytab", conn.keytab(principal).toString());
        hive.put("hive.server2.authentication.spnego.principal", spnego);
        hive.put("hive.server2.authentication.spnego.keytab", conn.keytab(spnego).toString());
        hive.put("hive.server2.allow.user.substitution", "true");
        // Statements run as the server; Ranger in Spark SQL decides as the session's end user.
        hive.put("hive.server2.enable.doAs", "false");
        hive.put("hive.server2.use.SSL", "true");
        hive.put("hive.server2.keystore.path", c.keystore().toString());
        hive.put("hive.server2.keystore.password", c.keystorePassword());

        SparkSession.Builder builder = SparkSession.builder()
                .master("local[2]")
                .appName("securelake-query-" + env.name())
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.warehouse.dir", c.stateDir().resolve("warehouse").toUri().toString())
                .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                        "jdbc:derby:;databaseName=" + c.stateDir().resolve("metastore_db") + ";create=true")
                .config("spark.sql.extensions", RANGER_EXTENSION)
                // No ${spark:…}/${system:…}/${env:…} substitution in people's SQL (the extension refuses to serve otherwise).
                .config("spark.sql.variable.substitute", "false")
                .enableHiveSupport();
        PolicyPluginSettings.of(env.name(), c.envsDir(), c.policiesDir(), c.auditDir()).sparkSettings()
                .forEach(builder::config);
        SparkHadoop.sparkConf(hadoop).forEach(builder::config);
        hive.forEach((k, v) -> builder.config("spark.hadoop." + k, v));
        SparkSession spark = builder.getOrCreate();
        log.accept("Spark session ready (metastore " + c.stateDir().resolve("metastore_db") + ")");

        // startWithContext must run on a fresh thread, or the hive.server2.* settings are ignored.
        CompletableFuture<HiveThriftServer2> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                started.complete(HiveThriftServer2.startWithContext(spark.sqlContext()));
            } catch (Throwable t) {
                started.completeExceptionally(t);
            }
        }, "query-server-start");
        starter.start();
        HiveThriftServer2 server;
        try {
            server = started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            spark.stop();
            throw new IllegalStateException("interrupted while starting the query server", e);
        } catch (ExecutionException | TimeoutException e) {
            spark.stop();
            throw new IllegalStateException("the query server did not start: " + e, e);
        }
        // JDBC metadata calls bypass the analyser: filter them per user, or do not serve at all.
        try {
            org.apache.hive.service.cli.CLIService cli = server.getServices().stream()
                    .filter(org.apache.hive.service.cli.CLIService.class::isInstance)
                    .map(org.apache.hive.service.cli.CLIService.class::cast).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the Thrift server has no CLI service"));
            io.securelake.warehouse.authz.GovernedOperationManager.install(cli.getSessionManager(), spark.sparkContext());
            // After the operation manager: it needs Spark's session manager itself.
            io.securelake.warehouse.authz.ClientFacingSessions.install(cli);
        } catch (RuntimeException e) {
            server.stop();
            spark.stop();
            throw e;
        }
        HiveEndpoint endpoint = new HiveEndpoint(host, c.port(), spnego, conn.truststore(), conn.truststorePassword());
        QueryServer qs = new QueryServer(spark, server, endpoint, LoginUserKeeper.start(LOGIN_CHECK, log));
        try {
            SparkJvm.awaitPort(host, c.port(), START_TIMEOUT);
            qs.probe();
        } catch (RuntimeException e) {
            qs.close();
            throw e;
        }
        log.accept("query server ready: " + endpoint.displayUrl("default"));
        return qs;
    }

    /** Spark only warns when a configured extension is missing and then serves everything: fail closed instead. */
    static void requireRangerExtension() {
        try {
            Class.forName(RANGER_EXTENSION);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the Ranger extension " + RANGER_EXTENSION
                    + " is not on the class path: refusing to serve queries without policy enforcement", e);
        }
    }

    /** A real query over the real protocol, as the server's own principal: TLS, SPNEGO and the engine work. */
    void probe() {
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("default"));
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT 1")) {
            if (!r.next() || r.getInt(1) != 1) {
                throw new IllegalStateException("the query server answered SELECT 1 wrongly");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the query server does not answer over JDBC: " + endpoint.scrub(e.getMessage()));
        }
    }

    @Override
    public void close() {
        try {
            login.close();
            server.stop();
        } finally {
            spark.stop();
        }
    }
}
