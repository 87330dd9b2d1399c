package io.securelake.demo;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.devstack.local.WarehouseJobs;
import io.securelake.envs.Environment;
import io.securelake.envs.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The analysis half of the demo: the ETL models the landed events into Hive tables, an analyst queries
 * them through Knox (masked and filtered), people without rights are refused at the gateway and in the
 * engine, and an auditor sees every one of those decisions in the audit trail.
 */
public final class WarehouseDemo {
    private final Environment env;
    private final WarehouseJobs jobs;
    private final String jdbcUrl;
    private final Function<String, String> passwords;
    private final Path auditDir;
    private final PrintStream out;

    /**
     * @param jdbcUrl   the gateway's Hive JDBC URL (what analysts put in beeline or DBeaver)
     * @param passwords a person's directory password
     * @param auditDir  the environment's local audit trail (one directory per stage)
     */
    public WarehouseDemo(Environment env, WarehouseJobs jobs, String jdbcUrl, Function<String, String> passwords,
                         Path auditDir, PrintStream out) {
        this.env = env;
        this.jobs = jobs;
        this.jdbcUrl = jdbcUrl;
        this.passwords = passwords;
        this.auditDir = auditDir;
        this.out = out;
    }

    /** Runs steps 5–8; returns what did not behave as it must (empty when all did). */
    public List<String> run(Instant journeyStart) {
        List<String> failures = new ArrayList<>();
        String db = env.names().hiveDatabase(env.dataset("payments").orElse(env.datasets().get(0)));
        String analyst = env.peopleWithRole(Role.ANALYST).get(0).name();
        String auditor = env.peopleWithRole(Role.AUDITOR).get(0).name();
        String nobody = env.people().stream().filter(p -> p.groups().isEmpty()).findFirst().map(p -> p.name()).orElse(null);

        step("5", "the ETL (Spark SQL as " + env.names().servicePrincipal(io.securelake.envs.ServiceRole.ETL)
                + ") models the new raw files into Hive tables of " + db);
        WarehouseJobs.Outcome etl = jobs.runEtl(List.of(), line -> out.println("     " + line));
        expect(failures, etl.ok(), "the ETL run succeeds");

        step("6", analyst + " (analyst) queries " + db + ".fact_payment through Knox with Hive JDBC");
        out.println("     " + jdbcUrl.replaceAll("trustStorePassword=[^;]*", "trustStorePassword=…"));
        WarehouseJobs.Outcome q = query(analyst, "SELECT event_id, channel, amount, currency, card_number, customer_name, email "
                + "FROM " + db + ".fact_payment ORDER BY event_id LIMIT 5");
        expect(failures, q.ok(), analyst + "'s query succeeds");
        out.println("     card_number shows its last 4 characters only, customer_name is a hash, email is NULL (Ranger masks);");
        out.println("     rows older than the dataset's retention are filtered out for analysts (Ranger row filter)");
        WarehouseJobs.Outcome agg = query(analyst, "SELECT channel, count(*) AS payments, sum(amount) AS total FROM "
                + db + ".fact_payment GROUP BY channel ORDER BY channel");
        expect(failures, agg.ok(), analyst + "'s aggregate succeeds");

        step("7", "refusals in the query path: each of these must be denied");
        if (nobody != null) {
            expectRefused(failures, nobody + " (no role) through Knox", query(nobody, "SELECT 1"));
        }
        expectRefused(failures, auditor + " (auditor) reads " + db, query(auditor, "SELECT event_id FROM " + db + ".fact_payment LIMIT 1"));
        out.println("     " + analyst + "> SELECT 1   (with a wrong password)");
        expectRefused(failures, analyst + " with a wrong password", jobs.query(jdbcUrl, analyst, "wrong-password", "SELECT 1",
                line -> out.println("       " + line)));

        step("8", "the auditor's view: decisions recorded since the demo started, by stage");
        List<AuditRecord> records = recordsSince(journeyStart);
        Map<String, long[]> byStage = new TreeMap<>();
        for (AuditRecord r : records) {
            long[] c = byStage.computeIfAbsent(r.stage(), s -> new long[2]);
            c[r.result() == AuditRecord.Result.ALLOWED ? 0 : 1]++;
        }
        byStage.forEach((stage, c) -> out.printf("     %-8s %6d allowed %6d denied%n", stage, c[0], c[1]));
        List<AuditRecord> denied = records.stream().filter(r -> r.result() != AuditRecord.Result.ALLOWED)
                .filter(r -> r.stage().equals("hive") || r.stage().equals("knox")).toList();
        out.print(AuditSearch.table(denied.subList(Math.max(0, denied.size() - 5), denied.size())).indent(5));
        expect(failures, byStage.containsKey("hive") && byStage.containsKey("knox"),
                "the gateway's and the engine's decisions are in the audit trail");
        out.println("     search it yourself: bin/securelake audit search --env " + env.name() + " --result denied --since 10m");
        return failures;
    }

    private WarehouseJobs.Outcome query(String user, String sql) {
        out.println("     " + user + "> " + sql);
        return jobs.query(jdbcUrl, user, passwords.apply(user), sql, line -> out.println("       " + line));
    }

    private void expectRefused(List<String> failures, String what, WarehouseJobs.Outcome outcome) {
        out.println("   - " + what + ": " + (outcome.ok() ? "ALLOWED (this is a security defect)" : "refused"));
        if (outcome.ok()) {
            failures.add("not refused: " + what);
        }
    }

    private List<AuditRecord> recordsSince(Instant since) {
        List<AuditRecord> all = new ArrayList<>();
        if (!Files.isDirectory(auditDir)) {
            return all;
        }
        try (Stream<Path> dirs = Files.list(auditDir)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                all.addAll(AuditSearch.in(dir).find(AuditQuery.all().withSince(since)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        all.sort(Comparator.comparing(AuditRecord::time));
        return all;
    }

    private void step(String number, String text) {
        out.println();
        out.println(" " + number + ". " + text);
    }

    private static void expect(List<String> failures, boolean condition, String what) {
        if (!condition) {
            failures.add("expected: " + what);
        }
    }
}
