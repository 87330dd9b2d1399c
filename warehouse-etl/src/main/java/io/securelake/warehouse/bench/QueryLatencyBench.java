package io.securelake.warehouse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
            System.err.println("usage: QueryLatencyBench <status.json> <people-passwords.properties> <analyst> [iterations]");
            System.exit(2);
        }
        JsonNode status = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        Properties passwords = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            passwords.load(in);
        }
        String analyst = args[2];
        int iterations = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        String realm = status.path("realm").asText();
        System.setProperty("java.security.krb5.conf", status.path("krb5_conf").asText());
        Configuration conf = new Configuration(false);
        conf.set("hadoop.security.authentication", "kerberos");
        UserGroupInformation.setConfiguration(conf);
        UserGroupInformation.loginUserFromKeytab(analyst + "@" + realm,
                status.path("keytabs").path(analyst + "@" + realm).asText());

        String direct = status.path("hive").path("direct_jdbc_url").asText();
        URI u = URI.create(direct.substring("jdbc:".length()));
        HiveEndpoint endpoint = new HiveEndpoint(u.getHost(), u.getPort(), "HTTP/localhost@" + realm,
                Path.of(status.path("truststore").asText()), status.path("truststore_password").asText());
        String gateway = status.path("hive").path("jdbc_url").asText();
        String db = "payments_" + status.path("environment").asText();

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
        queries.put("aggregate", "SELECT channel, count(*) AS n, sum(amount) AS total FROM " + db
                + ".fact_payment GROUP BY channel");

        System.out.printf("%-10s %-8s %6s %10s %10s %10s%n", "query", "path", "n", "p50 ms", "p95 ms", "mean ms");
        try (Connection viaDirect = DriverManager.getConnection(endpoint.jdbcUrl("default"));
             Connection viaKnox = DriverManager.getConnection(gateway, analyst, passwords.getProperty(analyst))) {
            for (Map.Entry<String, String> q : queries.entrySet()) {
                double[] d = measure(viaDirect, q.getValue(), iterations);
                double[] k = measure(viaKnox, q.getValue(), iterations);
                print(q.getKey(), "direct", d);
                print(q.getKey(), "knox", k);
                System.out.printf("%-10s %-8s %6s %10.1f %10.1f %10.1f%n", q.getKey(), "overhead", "",
                        k[0] - d[0], k[1] - d[1], k[2] - d[2]);
            }
        }
    }

    /** p50, p95 and mean in ms over {@code n} runs, after 5 warm-up runs; runs alternate paths per query kind. */
    static double[] measure(Connection c, String sql, int n) throws SQLException {
        for (int i = 0; i < 5; i++) {
            run(c, sql);
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            run(c, sql);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return new double[] {ms[n / 2], ms[(int) Math.ceil(n * 0.95) - 1], Arrays.stream(ms).average().orElse(0)};
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                r.getString(1);
            }
        }
    }

    private static void print(String query, String path, double[] v) {
        System.out.printf("%-10s %-8s %6s %10.1f %10.1f %10.1f%n", query, path, "", v[0], v[1], v[2]);
    }
}
