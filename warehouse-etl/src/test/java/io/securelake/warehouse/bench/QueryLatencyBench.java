package io.securelake.warehouse.bench;

import io.securelake.contracts.CoreEndpoints;
import io.securelake.contracts.status.GatewayFigures;
import io.securelake.contracts.status.QueryServerFigures;
import io.securelake.contracts.status.ServiceKind;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.warehouse.query.HiveEndpoint;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Query latency of an analyst, through the Knox gateway and directly against the query server, in the
 * same run, after the connection is open: {@code bin/bench-warehouse} (needs a running stack with ETL'd
 * tables). Direct connections log in with the analyst's Kerberos keytab; gateway ones with the password.
 * The difference is the gateway's overhead (LDAP-authenticated session, Ranger check, dispatch, TLS hop).
 */
public final class QueryLatencyBench {
    private QueryLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: QueryLatencyBench <stack home, e.g. .securelake/dev> <people-passwords.properties> <analyst> [iterations]");
            System.exit(2);
        }
        // What the running stack announced, each file read through its contract.
        Path home = Path.of(args[0]);
        CoreEndpoints endpoints = CoreEndpoints.read(home.resolve(CoreEndpoints.FILE_NAME));
        Path queryStatusFile = ServiceKind.QUERY_SERVER.statusFileIn(home);
        QueryServerFigures query = ServiceStatus.readIfPresent(queryStatusFile, ServiceStatus.QUERY_SERVER)
                .orElseThrow(() -> new IllegalStateException("the query server is not running (no " + queryStatusFile + ")"))
                .figures();
        Path gatewayStatusFile = ServiceKind.GATEWAY.statusFileIn(home);
        GatewayFigures knox = ServiceStatus.readIfPresent(gatewayStatusFile, ServiceStatus.GATEWAY)
                .orElseThrow(() -> new IllegalStateException("the gateway is not running (no " + gatewayStatusFile + ")"))
                .figures();
        Properties passwords = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            passwords.load(in);
        }
        String analyst = args[2];
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        String realm = endpoints.realm();
        System.setProperty("java.security.krb5.conf", endpoints.krb5Conf());
        Configuration conf = new Configuration(false);
        conf.set("hadoop.security.authentication", "kerberos");
        UserGroupInformation.setConfiguration(conf);
        UserGroupInformation.loginUserFromKeytab(analyst + "@" + realm,
                endpoints.keytab(analyst + "@" + realm, home.resolve(CoreEndpoints.FILE_NAME)));

        String direct = query.jdbcUrl();
        URI u = URI.create(direct.substring("jdbc:".length()));
        HiveEndpoint endpoint = new HiveEndpoint(u.getHost(), u.getPort(),
                io.securelake.envs.EnvironmentNames.hostPrincipal(io.securelake.envs.EnvironmentNames.HTTP_SERVICE, u.getHost()) + "@" + realm,
                Path.of(endpoints.truststore()), endpoints.truststorePassword());
        String gateway = knox.hiveJdbcUrl();
        String db = "payments_" + endpoints.environment();

        Map<String, String> queries = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl("default"));
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT event_id FROM " + db + ".fact_payment LIMIT 1")) {
            if (!r.next()) {
                throw new IllegalStateException(db + ".fact_payment is empty: run the ETL first");
            }
            queries.put("point", "SELECT event_id, amount, card_number FROM " + db + ".fact_payment WHERE event_id = '"
                    + r.getString(1) + "'");
        }
        // Spark does almost nothing for this one, so the gateway's share stands out of the engine's noise.
        queries.put("constant", "SELECT current_user()");
        queries.put("aggregate", "SELECT channel, count(*) AS n, sum(amount) AS total FROM " + db
                + ".fact_payment GROUP BY channel");

        System.out.printf("%-10s %-8s %6s %10s %10s %10s   %s%n", "query", "path", "n", "p50 ms", "p95 ms", "mean ms",
                "95% CI of p50");
        try (Connection viaDirect = DriverManager.getConnection(endpoint.jdbcUrl("default"));
             Connection viaKnox = DriverManager.getConnection(gateway, analyst, passwords.getProperty(analyst))) {
            for (Map.Entry<String, String> q : queries.entrySet()) {
                for (int i = 0; i < 5; i++) {
                    run(viaDirect, q.getValue());
                    run(viaKnox, q.getValue());
                }
                // Interleaved, so that load from other processes hits both paths alike, and in alternating order,
                // so that neither path always runs second on warm caches. The overhead is the median of the paired
                // differences, robust against the machine's noise, with its distribution-free confidence interval.
                double[] d = new double[iterations];
                double[] k = new double[iterations];
                double[] diff = new double[iterations];
                for (int i = 0; i < iterations; i++) {
                    if (i % 2 == 0) {
                        d[i] = time(viaDirect, q.getValue());
                        k[i] = time(viaKnox, q.getValue());
                    } else {
                        k[i] = time(viaKnox, q.getValue());
                        d[i] = time(viaDirect, q.getValue());
                    }
                    diff[i] = k[i] - d[i];
                }
                print(q.getKey(), "direct", iterations, stats(d), "");
                print(q.getKey(), "knox", iterations, stats(k), "");
                double[] ci = medianConfidenceInterval(diff);
                print(q.getKey(), "knox-dir", iterations, stats(diff), String.format("%.1f .. %.1f", ci[0], ci[1]));
            }
        }
    }

    /** p50, p95 and mean. */
    static double[] stats(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return new double[] {v[v.length / 2], v[(int) Math.ceil(v.length * 0.95) - 1], Arrays.stream(v).average().orElse(0)};
    }

    /**
     * The 95% confidence interval of the median from order statistics (normal approximation of the binomial:
     * ranks n/2 ± 0.98·√n), which assumes nothing about the distribution of the differences.
     */
    static double[] medianConfidenceInterval(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double half = 0.98 * Math.sqrt(n);
        int lo = Math.max(0, (int) Math.floor(n / 2.0 - half) - 1);
        int hi = Math.min(n - 1, (int) Math.ceil(n / 2.0 + half));
        return new double[] {v[lo], v[hi]};
    }

    static double time(Connection c, String sql) throws SQLException {
        long t = System.nanoTime();
        run(c, sql);
        return (System.nanoTime() - t) / 1e6;
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                r.getString(1);
            }
        }
    }

    private static void print(String query, String path, int n, double[] v, String ci) {
        System.out.printf("%-10s %-8s %6d %10.1f %10.1f %10.1f   %s%n", query, path, n, v[0], v[1], v[2], ci);
    }
}
