package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackClients;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compact fault suite: on a running local stack, each supervised process is killed with SIGKILL once — the
 * lake-writer, the query server, the gateway, the Kafka broker, the NameNode, the DataNode, the KMS, the KDC and the
 * core agent, each a process of its own — while events
 * keep being ingested. Nobody types a command: the supervisor brings each one back, an analyst's query through Knox
 * works again, and at the end every accepted event is in the raw zone exactly once and in the warehouse. The KDC's
 * outage lasts: each restart is killed too until the supervisor gives it up, queries are still answered meanwhile,
 * and an admin's {@code up} brings it back without touching anything else. The table
 * (time until back, what clients saw meanwhile, events accepted vs landed vs modelled) goes to
 * {@code target/fault-suite.md}; docs/RELIABILITY.md holds a run of it.
 */
class FaultSuiteIT {
    private static final String ENV = "dev";
    private static final int BATCH = 100;
    private static final Duration RECOVERY = Duration.ofMinutes(4);
    /**
     * How many times every fault is made: 1 in CI (the compact form); the long version repeats them
     * ({@code -Dfault-suite.rounds=5}), which also shows a process killed again after a restart is restarted again
     * (within the supervisor's limit of 5 ends in 10 minutes).
     */
    private static final Pattern SENT = Pattern.compile("sent ([\\d,]+), dead-lettered ([\\d,]+), failed ([\\d,]+)");
    private static final int ROUNDS = Integer.getInteger("fault-suite.rounds", 1);
    /** Reads the warehouse: the metastore, then the NameNode and the DataNode through the query server. */
    private static final String ANALYST_QUERY = "SELECT count(*) AS n FROM customer_preferences_dev.fact_preference_change";
    private static final String PAYMENTS = "payments";
    private static final String PREFERENCES = "customer_preferences";
    /** The fault that lasts: each restart is killed too, until the supervisor gives up and an admin runs 'up'. */
    private static final String KDC = "KDC";
    /** Hadoop closes a connection idle this long (ipc.client.connection.maxidletime), so the next call opens one. */
    private static final Duration RPC_IDLE = Duration.ofSeconds(10);

    @TempDir
    static Path securelakeHome;
    static PackagedCli cli;
    static Environment env;

    /**
     * One fault: which process, where its pid and its supervision are in {@code status --json}, and whether a producer
     * may be refused while it is down (it needs the KDC, the broker and, for a new key, the KMS; nothing else).
     */
    record Fault(String component, Function<JsonNode, JsonNode> section, boolean producerMayBeRefused) {
    }

    record Row(String component, long pid, Duration back, String analystSawMeanwhile, String ingestMeanwhile) {
    }

    @BeforeAll
    static void up() throws Exception {
        env = ShippedEnvironments.load(ENV);
        cli = new PackagedCli(securelakeHome);
        PackagedCli.Result up = cli.run("up", "--env", ENV);
        assertThat(up.exit()).as(up.out()).isZero();
    }

    @AfterAll
    static void down() throws Exception {
        cli.run("down", "--env", ENV);
    }

    @Test
    void everyProcessKilledOnceComesBackByItselfAndEveryAcceptedEventLandsExactlyOnce() throws Exception {
        List<Fault> faults = List.of(
                new Fault("lake-writer", s -> s.path("lake_writer"), false),
                new Fault("query server", s -> s.path("hive"), false),
                new Fault("gateway", s -> s.path("knox"), false),
                new Fault("Kafka broker", s -> s.path("kafka"), true),
                new Fault("HDFS NameNode", s -> s.path("hdfs").path("processes").path("namenode"), false),
                new Fault("HDFS DataNode", s -> s.path("hdfs").path("processes").path("datanode"), false),
                new Fault("KMS", s -> s.path("kms"), true),
                new Fault(KDC, s -> s.path("kdc"), true),
                new Fault("core agent", s -> s.path("core_agent"), false));
        // A warehouse table before the faults (another dataset's, so that the payments are modelled once, at the end):
        // after each fault the analyst's query reads it, so the query server's reconnection to the metastore, the
        // NameNode and the DataNode is tested, not just a SELECT 1.
        long preferences = ingest(PREFERENCES, 0);
        assertThat(awaitLanded(PREFERENCES, preferences)).hasSize((int) preferences);
        long[] modelledPreferences = etl(PREFERENCES);
        assertThat(modelledPreferences[0]).as("preference changes the ETL read").isEqualTo(preferences);
        String seenByAlice = warehouseCount("before the faults");
        long accepted = ingest(0);
        List<Row> rows = new ArrayList<>();
        int round = 1;
        List<Fault> plan = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            plan.addAll(faults);
        }
        for (Fault fault : plan) {
            JsonNode before = cli.status(ENV);
            assertThat(before.path("healthy").asBoolean()).as("healthy before killing the %s: %s", fault.component(),
                    before.toPrettyString()).isTrue();
            JsonNode supervision = fault.section().apply(before).path("supervision");
            long pid = supervision.path("pid").asLong();
            int restarts = supervision.path("restarts").asInt();
            assertThat(pid).as("the %s's pid in %s", fault.component(), supervision).isPositive();

            java.util.Map<String, Long> others = new java.util.LinkedHashMap<>();
            for (Fault other : faults) {
                if (!other.component().equals(fault.component())) {
                    others.put(other.component(), other.section().apply(before).path("supervision").path("pid").asLong());
                }
            }
            Instant killed = Instant.now();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            boolean staysDown = fault.component().equals(KDC);
            String analyst = staysDown ? whileItStaysDown(fault, killed, seenByAlice)
                    : firstLine(cli.query(ENV, "alice", ANALYST_QUERY));
            String ingestMeanwhile;
            if (!fault.producerMayBeRefused()) {
                long sent = ingest(round++);
                accepted += sent;
                ingestMeanwhile = "accepted " + sent;
            } else {
                // The producer may be refused (told so), or wait and be accepted once the component is back.
                // Whatever it says it accepted must land exactly once.
                PackagedCli.Result r = cli.run("ingest", "--env", ENV, "--dataset", "payments", "--generate",
                        Integer.toString(BATCH), "--seed", Integer.toString(1000 + round++), "--no-progress");
                Matcher m = SENT.matcher(r.out());
                long sent = m.find() ? Long.parseLong(m.group(1).replace(",", "")) : 0;
                accepted += sent;
                ingestMeanwhile = (m.find(0) ? "accepted " + sent + ", not accepted " + m.group(3) : "accepted 0: "
                        + firstLine(r));
            }

            if (staysDown) {
                PackagedCli.Result up = cli.run("up", "--env", ENV);
                assertThat(up.exit()).as("'up' starting the %s the supervisor gave up: %s", fault.component(), up.out())
                        .isZero();
            }
            JsonNode after = awaitRestarted(fault, restarts);
            Duration back = Duration.between(killed, Instant.now());
            JsonNode restarted = fault.section().apply(after).path("supervision");
            for (Fault other : faults) {
                if (others.containsKey(other.component())) {
                    assertThat(other.section().apply(after).path("supervision").path("pid").asLong())
                            .as("the %s, untouched by the %s's fault, keeps its process", other.component(), fault.component())
                            .isEqualTo(others.get(other.component()));
                }
            }
            assertThat(restarted.path("pid").asLong()).isNotEqualTo(pid);
            assertThat(restarted.path("last_exit").path("cause").asText()).isEqualTo("killed by signal 9 (SIGKILL)");
            assertThat(warehouseCount("after the " + fault.component() + " came back"))
                    .as("what an analyst's query through Knox reads after the %s came back", fault.component())
                    .isEqualTo(seenByAlice);
            rows.add(new Row(fault.component(), pid, back, analyst, ingestMeanwhile));
            if (fault.producerMayBeRefused()) {
                accepted += ingest(round++); // once it is back, producers are accepted again
            }
            if (fault.component().equals("lake-writer")) {
                long sent = ingest(round++);
                accepted += sent;
                rows.add(pauseTheWriterPastItsSessionTimeout(sent));
            }
        }

        assertThat(awaitLanded(accepted)).as("events in the raw zone before the raw zone fills up").hasSize((int) accepted);
        FullRawZone full = rawZoneOutOfSpace(accepted, round++);
        rows.add(full.row());
        accepted += full.sent();

        List<String> landed = awaitLanded(accepted);
        assertThat(landed).as("events in the raw zone").hasSize((int) accepted);
        assertThat(landed).as("no event landed twice").doesNotHaveDuplicates();
        long[] payments = etl(PAYMENTS);
        long read = payments[0];
        long modelled = payments[1];
        assertThat(read).as("raw events the ETL read").isEqualTo(accepted);
        assertThat(modelled).as("rows in the warehouse plus quarantined").isEqualTo(accepted);
        writeTable(rows, accepted, landed.size(), modelled);
    }

    /** Runs a dataset's ETL; returns {raw events read, rows written plus quarantined} of its fact table. */
    private static long[] etl(String dataset) throws Exception {
        PackagedCli.Result etl = cli.run("etl", "run", "--env", ENV, "--dataset", dataset);
        assertThat(etl.exit()).as(etl.out()).isZero();
        String fact = env.names().hiveDatabase(env.dataset(dataset).orElseThrow()) + "\\.fact_[a-z_]+";
        Matcher m = Pattern.compile(fact + "\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(etl.out());
        assertThat(m.find()).as(etl.out()).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) + Long.parseLong(m.group(3))};
    }

    /**
     * What alice's count of the preference changes through Knox answers. A failure names when it happened and quotes
     * what the stack logged under the error id the client was given (the suite's stack home is deleted afterwards).
     */
    private static String warehouseCount(String when) throws Exception {
        PackagedCli.Result count = cli.query(ENV, "alice", ANALYST_QUERY);
        assertThat(count.exit()).as("alice's query %s: %s%s", when, count.out(), loggedUnderErrorId(count.out())).isZero();
        Matcher n = Pattern.compile("(?m)^\\s*(\\d+)\\s*$").matcher(count.out());
        assertThat(n.find()).as(count.out()).isTrue();
        return n.group(1);
    }

    /**
     * Kills every restart of the fault's process until the supervisor gives it up (more than 5 ends within 10 minutes),
     * then checks that alice's query is still answered. Nothing has queried since before the fault, and the restarts'
     * backoffs alone last over 30 s, so the query server's connections to the NameNode have idled out and the query
     * opens a new one: a query server holds its tickets for hours and must not need the KDC for that (it did: it asked
     * the KDC for a new service ticket on each connection).
     */
    private static String whileItStaysDown(Fault fault, Instant killed, String seenByAlice) throws Exception {
        Instant deadline = Instant.now().plus(RECOVERY);
        JsonNode s = cli.status(ENV);
        while (!fault.section().apply(s).path("supervision").path("state").asText().equals("failed")) {
            assertThat(Instant.now()).as("the supervisor giving the %s up; last status: %s", fault.component(),
                    s.toPrettyString()).isBefore(deadline);
            long restarted = fault.section().apply(s).path("supervision").path("pid").asLong();
            if (restarted > 0) {
                ProcessHandle.of(restarted).ifPresent(ProcessHandle::destroyForcibly);
            }
            s = cli.status(ENV); // each call is a CLI run of its own: a second or two apart
        }
        Duration idle = Duration.between(killed, Instant.now());
        assertThat(idle).as("time without a query before alice's, so that it needs a new NameNode connection")
                .isGreaterThan(RPC_IDLE);
        assertThat(warehouseCount("while the " + fault.component() + " stays down"))
                .as("what alice reads while the %s stays down", fault.component()).isEqualTo(seenByAlice);
        return "answered " + idle.toSeconds() + " s into the outage, on a new NameNode connection (the supervisor gave"
                + " it up; 'up' restarted it)";
    }

    /**
     * SIGSTOP on the lake-writer until Kafka has evicted it from its consumer group (its session timed out), then
     * SIGCONT: the writer wakes up holding a batch of partitions it no longer owns, must not commit it twice, and
     * must rejoin and carry on. The supervisor must not take a paused writer for dead.
     */
    private Row pauseTheWriterPastItsSessionTimeout(long sentBefore) throws Exception {
        JsonNode before = cli.status(ENV);
        long pid = before.path("lake_writer").path("supervision").path("pid").asLong();
        int restarts = before.path("lake_writer").path("supervision").path("restarts").asInt();
        Instant paused = Instant.now();
        signal("STOP", pid);
        try {
            awaitGroupEmpty();
        } finally {
            signal("CONT", pid);
        }
        Instant deadline = Instant.now().plus(RECOVERY);
        JsonNode s = cli.status(ENV);
        while (!(s.path("healthy").asBoolean() && s.path("lake_writer").path("lag").asLong() == 0)) {
            assertThat(Instant.now()).as("the paused writer working again; last status: %s", s.toPrettyString()).isBefore(deadline);
            s = cli.status(ENV);
        }
        assertThat(s.path("lake_writer").path("supervision").path("pid").asLong()).as("the same process, resumed").isEqualTo(pid);
        assertThat(s.path("lake_writer").path("supervision").path("restarts").asInt()).isEqualTo(restarts);
        return new Row("lake-writer paused (SIGSTOP until its session timed out, then SIGCONT)", pid,
                Duration.between(paused, Instant.now()), firstLine(cli.query(ENV, "alice", ANALYST_QUERY)),
                "accepted " + sentBefore + " before the pause");
    }

    /**
     * The writer's disk full: an HDFS space quota smaller than one block on the dataset's raw directory, so every
     * block the writer allocates there is refused (DSQuotaExceededException), as on a full disk. Events go on being
     * accepted by Kafka; the writer must fail its batches, land nothing half, and land everything exactly once when
     * space is freed (the quota lifted) — without anyone restarting it.
     */
    private FullRawZone rawZoneOutOfSpace(long landedBefore, int round) throws Exception {
        String rawDir = env.names().rawPath(env.dataset("payments").orElseThrow());
        long writer = cli.status(ENV).path("lake_writer").path("supervision").path("pid").asLong();
        setSpaceQuota(rawDir, 1);
        Instant full = Instant.now();
        long sent;
        String analyst;
        try {
            sent = ingest(round);
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            JsonNode s = cli.status(ENV);
            while (!s.path("lake_writer").path("last_error").asText().toLowerCase(java.util.Locale.ROOT).contains("quota")) {
                assertThat(Instant.now()).as("the writer meeting the full raw zone; last status: %s", s.toPrettyString())
                        .isBefore(deadline);
                s = cli.status(ENV);
            }
            assertThat(rawEventIds()).as("nothing landed, not even half a batch, while the raw zone is full")
                    .hasSize((int) landedBefore);
            analyst = firstLine(cli.query(ENV, "alice", ANALYST_QUERY));
        } finally {
            setSpaceQuota(rawDir, HdfsConstants.QUOTA_RESET);
        }
        Instant freed = Instant.now();
        assertThat(awaitLanded(landedBefore + sent)).as("every event landed once space was freed")
                .hasSize((int) (landedBefore + sent));
        long writerAfter = cli.status(ENV).path("lake_writer").path("supervision").path("pid").asLong();
        return new FullRawZone(new Row("raw zone full (HDFS space quota below one block; lifted once the writer had failed)",
                writer, Duration.between(freed, Instant.now()), analyst, "accepted " + sent + " (full for "
                + Duration.between(full, freed).toSeconds() + " s; the writer " + (writerAfter == writer
                ? "kept its process" : "was restarted") + ")"), sent);
    }

    record FullRawZone(Row row, long sent) {
    }

    /** Sets (or, with {@link HdfsConstants#QUOTA_RESET}, lifts) the space quota of {@code dir}, as HDFS' superuser. */
    private static void setSpaceQuota(String dir, long bytes) throws Exception {
        CoreEndpoints endpoints = CoreEndpoints.readIfPresent(securelakeHome.resolve(ENV).resolve(CoreEndpoints.FILE_NAME))
                .orElseThrow();
        KerberosJvm.useKrb5Conf(Path.of(endpoints.krb5Conf()));
        StackClients clients = new StackClients(env, endpoints);
        Configuration conf = clients.hdfsConfiguration();
        HadoopSecurity.doAs(clients.hdfsLogin(conf, endpoints.hdfsPrincipal()), () -> {
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                ((DistributedFileSystem) fs).setQuota(new org.apache.hadoop.fs.Path(dir), HdfsConstants.QUOTA_DONT_SET, bytes);
            }
            return null;
        });
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %s", signal, pid).isZero();
    }

    /** Waits until the broker has no member left in the lake-writer's group: the paused writer's session expired. */
    private static void awaitGroupEmpty() throws Exception {
        CoreEndpoints endpoints = CoreEndpoints.readIfPresent(securelakeHome.resolve(ENV).resolve(CoreEndpoints.FILE_NAME))
                .orElseThrow();
        KerberosJvm.useKrb5Conf(Path.of(endpoints.krb5Conf()));
        String group = env.names().lakeWriterConsumerGroup();
        try (Admin admin = Admin.create(new StackClients(env, endpoints)
                .kafkaProperties(env.names().servicePrincipal(ServiceRole.LAKE_WRITER)))) {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (!admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().isEmpty()) {
                assertThat(Instant.now()).as("Kafka evicting the paused writer from %s", group).isBefore(deadline);
                cli.status(ENV); // paces the re-reads: one CLI run
            }
        }
    }

    /** Sends a batch of generated payments (seed {@code round}: ids never repeat); returns how many were accepted. */
    private static long ingest(int round) throws Exception {
        return ingest(PAYMENTS, round);
    }

    private static long ingest(String dataset, int round) throws Exception {
        PackagedCli.Result r = cli.run("ingest", "--env", ENV, "--dataset", dataset, "--generate", Integer.toString(BATCH),
                "--seed", Integer.toString(1000 + round), "--no-progress");
        Matcher m = SENT.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(m.group(2)).as("dead-lettered").isEqualTo("0");
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    /** The status once the fault's process runs again (more restarts) and the whole stack is healthy. */
    private static JsonNode awaitRestarted(Fault fault, int restartsBefore) throws Exception {
        Instant deadline = Instant.now().plus(RECOVERY);
        JsonNode s = cli.status(ENV);
        while (!(s.path("healthy").asBoolean()
                && fault.section().apply(s).path("supervision").path("restarts").asInt() > restartsBefore)) {
            assertThat(Instant.now()).as("the %s back within %s; last status: %s", fault.component(), RECOVERY,
                    s.toPrettyString()).isBefore(deadline);
            s = cli.status(ENV); // each call is a CLI run of its own: a second or two apart
        }
        return s;
    }

    /** The payments' event ids in the raw zone, once there are {@code expected} of them (or the time is up). */
    private static List<String> awaitLanded(long expected) throws Exception {
        return awaitLanded(PAYMENTS, expected);
    }

    private static List<String> awaitLanded(String dataset, long expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        List<String> ids = rawEventIds(dataset);
        while (ids.size() < expected && Instant.now().isBefore(deadline)) {
            cli.status(ENV); // paces the re-reads: one CLI run
            ids = rawEventIds(dataset);
        }
        return ids;
    }

    /** Every event id in the committed raw files of payments, read as the ETL service. */
    private static List<String> rawEventIds() throws Exception {
        return rawEventIds(PAYMENTS);
    }

    private static List<String> rawEventIds(String dataset) throws Exception {
        CoreEndpoints endpoints = CoreEndpoints.readIfPresent(securelakeHome.resolve(ENV).resolve(CoreEndpoints.FILE_NAME))
                .orElseThrow();
        KerberosJvm.useKrb5Conf(Path.of(endpoints.krb5Conf())); // this test JVM's choice, as a client's main makes it
        StackClients clients = new StackClients(env, endpoints);
        Configuration conf = clients.hdfsConfiguration();
        String dir = env.names().rawPath(env.dataset(dataset).orElseThrow());
        return HadoopSecurity.doAs(clients.hdfsLogin(conf, env.names().servicePrincipal(ServiceRole.ETL)), () -> {
            List<String> ids = new ArrayList<>();
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                RemoteIterator<LocatedFileStatus> files = fs.listFiles(new org.apache.hadoop.fs.Path(dir), true);
                while (files.hasNext()) {
                    org.apache.hadoop.fs.Path f = files.next().getPath();
                    String rel = f.toUri().getPath().substring(dir.length());
                    if (!rel.endsWith(".avro") || rel.contains("/_") || rel.contains("/.")) {
                        continue;
                    }
                    try (DataFileStream<GenericRecord> records = new DataFileStream<>(fs.open(f), new GenericDatumReader<>())) {
                        records.forEach(r -> ids.add(r.get("event_id").toString()));
                    }
                }
            }
            return ids;
        });
    }

    /** The lines the stack's logs hold from the first mention of the error id in {@code clientMessage} on. */
    private static String loggedUnderErrorId(String clientMessage) throws IOException {
        Matcher id = Pattern.compile("error id ([0-9a-f]{8})").matcher(clientMessage);
        Path logs = securelakeHome.resolve(ENV).resolve("logs");
        if (!id.find() || !Files.isDirectory(logs)) {
            return "";
        }
        StringBuilder found = new StringBuilder();
        try (var files = Files.list(logs)) {
            for (Path log : files.filter(Files::isRegularFile).sorted().toList()) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).contains(id.group(1))) {
                        found.append("\n--- ").append(log.getFileName()).append(" ---\n")
                                .append(String.join("\n", lines.subList(i, Math.min(lines.size(), i + 80))));
                        break;
                    }
                }
            }
        }
        return found.toString();
    }

    private static String firstLine(PackagedCli.Result r) {
        String text = r.out().strip();
        String line = r.exit() == 0 ? "answered" : text.lines().reduce((a, b) -> b).orElse("");
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }

    private static void writeTable(List<Row> rows, long accepted, long landed, long modelled) throws IOException {
        StringBuilder t = new StringBuilder("| fault (a process: killed with SIGKILL) | back after | an analyst's query "
                + "right after the fault "
                + "| ingest meanwhile |\n|---|---|---|---|\n");
        for (Row r : rows) {
            t.append("| ").append(r.component()).append(" | ").append(r.back().toSeconds()).append(" s | ")
                    .append(r.analystSawMeanwhile().replace("|", "\\|")).append(" | ").append(r.ingestMeanwhile()).append(" |\n");
        }
        t.append("\nEvents accepted ").append(accepted).append(", landed in the raw zone ").append(landed)
                .append(" (no duplicate), in the warehouse (rows + quarantined) ").append(modelled).append(".\n");
        Path out = Path.of("target", "fault-suite.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, t.toString(), StandardCharsets.UTF_8);
        System.out.println(t);
    }
}
