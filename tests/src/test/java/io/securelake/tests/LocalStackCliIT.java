package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Environment;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackClients;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI as a user runs it ({@code bin/securelake}), against a real core child process:
 * up, status, idempotent up, the standard clients (kinit, kcat, curl), crash recovery, down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackCliIT {
    static final Path PROJECT = ShippedEnvironments.envsDir().getParent();
    static final Path CLI = PROJECT.resolve("bin/securelake");

    @TempDir
    static Path securelakeHome;
    static Environment env;

    record Result(int exit, String out) {
    }

    static Result cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CLI.toString()));
        command.addAll(List.of(args));
        return run(Map.of("SECURELAKE_HOME", securelakeHome.toString()), command);
    }

    static Result run(Map<String, String> environment, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        return new Result(p.exitValue(), out);
    }

    static JsonNode status() throws Exception {
        Result r = cli("status", "--env", "dev", "--json");
        return new ObjectMapper().readTree(r.out());
    }

    @BeforeAll
    static void up() throws Exception {
        assertThat(CLI).as("bin/securelake").isExecutable();
        assertThat(PROJECT.resolve("cli/target/securelake-cli.jar"))
                .as("the packaged CLI: this test runs in 'mvn verify', after packaging").exists();
        env = ShippedEnvironments.load("dev");
        Result notRunning = cli("status", "--env", "dev");
        assertThat(notRunning.exit()).isEqualTo(3);
        assertThat(notRunning.out()).contains("not running");

        Result up = cli("up", "--env", "dev");
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out()).contains("The dev stack is running.").contains("kafka").contains("webhdfs");
    }

    @AfterAll
    static void down() throws Exception {
        cli("down", "--env", "dev");
    }

    @Test
    @Order(1)
    void statusJsonDescribesAHealthyStack() throws Exception {
        JsonNode s = status();
        assertThat(s.path("healthy").asBoolean()).as(s.toString()).isTrue();
        assertThat(s.path("realm").asText()).isEqualTo("DEV.SECURELAKE.LOCAL");
        assertThat(Path.of(s.path("krb5_conf").asText())).exists().startsWith(securelakeHome);
        assertThat(s.path("keytabs").has("svc-lakewriter-dev@DEV.SECURELAKE.LOCAL")).isTrue();
        assertThat(Path.of(s.path("keytabs").path("alice@DEV.SECURELAKE.LOCAL").asText())).exists();
        assertThat(s.path("kafka").path("bootstrap").asText()).startsWith("localhost:");
        assertThat(s.path("kafka").path("healthy").asBoolean()).isTrue();
        assertThat(s.path("hdfs").path("namenode").asText()).startsWith("hdfs://localhost:");
        assertThat(s.path("hdfs").path("webhdfs").asText()).startsWith("https://localhost:").endsWith("/webhdfs/v1");
        assertThat(s.path("hdfs").path("healthy").asBoolean()).isTrue();
        assertThat(s.path("kdc").path("healthy").asBoolean()).isTrue();
        assertThat(s.path("kms").path("uri").asText()).startsWith("kms://https@localhost:");
        assertThat(s.path("kms").path("healthy").asBoolean()).isTrue();
        assertThat(s.path("lake_writer").path("state").asText()).isEqualTo("running");
        assertThat(s.path("lake_writer").path("healthy").asBoolean()).isTrue();
        assertThat(s.path("hive").path("healthy").asBoolean()).as("query server").isTrue();
        assertThat(s.path("hive").path("jdbc_url").asText()).contains("httpPath=gateway/dev/hive");
        assertThat(s.path("knox").path("healthy").asBoolean()).as("gateway").isTrue();
        assertThat(s.path("knox").path("url").asText()).isEqualTo(
                "https://localhost:" + java.net.URI.create(s.path("knox").path("url").asText()).getPort() + "/gateway/dev");
    }

    @Test
    @Order(2)
    void theDemoRunsAcrossProcessesAndItsDecisionsAreInTheAuditTrail() throws Exception {
        // A client JVM talking to the core JVM: catches anything that weakens security inside the core
        // (e.g. a component switching Hadoop's JVM-wide authentication to simple).
        Result demo = cli("demo", "--env", "dev");
        assertThat(demo.exit()).as(demo.out()).isZero();
        assertThat(demo.out()).contains("Demo complete: every step behaved as it must.");

        Result denied = cli("audit", "search", "--env", "dev", "--result", "denied", "--user", "mallory", "--json");
        assertThat(denied.exit()).isZero();
        JsonNode records = new ObjectMapper().readTree(denied.out());
        assertThat(records).isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("user").asText()).isEqualTo("mallory");
            assertThat(r.path("result").asText()).isEqualTo("DENIED");
            assertThat(r.path("reason").asText()).isNotBlank();
        });
        assertThat(records).anySatisfy(r -> assertThat(r.path("resource").asText()).contains("dev.raw.payments"));
        Result allowed = cli("audit", "search", "--env", "dev", "--result", "allowed", "--user", "svc-lakewriter-dev", "--stage", "hdfs");
        assertThat(allowed.out()).contains("/lake/dev/raw").contains("ALLOWED");
        Result verify = cli("audit", "verify", "--env", "dev");
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(verify.out()).contains("intact   kafka").contains("intact   hdfs").doesNotContain("TAMPERED");
    }

    @Test
    @Order(3)
    void ingestedEventsAreLandedByTheRunningLakeWriter() throws Exception {
        long before = status().path("lake_writer").path("events_committed").asLong();
        Result ingest = cli("ingest", "--env", "dev", "--dataset", "payments", "--generate", "500", "--no-progress");
        assertThat(ingest.exit()).as(ingest.out()).isZero();
        assertThat(ingest.out()).contains("sent 500, dead-lettered 0, failed 0");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        long committed = before;
        while (committed < before + 500 && System.nanoTime() < deadline) {
            // status --json re-reads the writer's status file, which it replaces every few seconds
            committed = status().path("lake_writer").path("events_committed").asLong();
        }
        assertThat(committed).as("events the lake-writer committed to the raw zone").isGreaterThanOrEqualTo(before + 500);
    }

    @Test
    @Order(4)
    void upOnARunningStackSaysSoAndChangesNothing() throws Exception {
        long pid = status().path("pid").asLong();
        Result again = cli("up", "--env", "dev");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("already running").contains("nothing changed");
        assertThat(status().path("pid").asLong()).isEqualTo(pid);
    }

    @Test
    @Order(7)
    void aKilledSupervisorIsReportedAndUpStartsOneThatWatchesWhatRuns() throws Exception {
        JsonNode before = status();
        long supervisor = before.path("supervisor").path("pid").asLong();
        long query = before.path("hive").path("pid").asLong();
        ProcessHandle killed = ProcessHandle.of(supervisor).orElseThrow();
        killed.destroyForcibly();
        killed.onExit().get(30, TimeUnit.SECONDS);

        Result unsupervised = cli("status", "--env", "dev");
        assertThat(unsupervised.exit()).as(unsupervised.out()).isEqualTo(4);
        assertThat(unsupervised.out()).contains("NOT SUPERVISED: no supervisor runs");
        assertThat(ProcessHandle.of(query).map(ProcessHandle::isAlive).orElse(false)).as("its children run on").isTrue();

        Result up = cli("up", "--env", "dev");
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out()).contains("run without a supervisor; starting one to watch them").contains("already running");
        JsonNode after = status();
        assertThat(after.path("healthy").asBoolean()).as(after.toPrettyString()).isTrue();
        assertThat(after.path("supervisor").path("pid").asLong()).isNotEqualTo(supervisor);
        for (String component : List.of("kdc", "kafka", "kms", "core_agent")) {
            assertThat(after.path(component).path("supervision").path("pid").asLong()).as("the same %s", component)
                    .isEqualTo(before.path(component).path("supervision").path("pid").asLong()).isPositive();
        }
        assertThat(after.path("pid").asLong()).as("the core's owner: the new supervisor").isEqualTo(
                after.path("supervisor").path("pid").asLong());
        assertThat(after.path("hive").path("pid").asLong()).as("the same query server").isEqualTo(query);
    }

    @Test
    @Order(5)
    void standardClientsWorkWithTheGeneratedFiles() throws Exception {
        ExternalClients.require("kinit", "klist", "kcat", "curl");
        JsonNode s = status();
        Path cache = securelakeHome.resolve("krb5cc_carol");
        Map<String, String> krb = Map.of("KRB5_CONFIG", s.path("krb5_conf").asText(), "KRB5CCNAME", "FILE:" + cache);
        String carol = "carol@DEV.SECURELAKE.LOCAL";
        Result kinit = run(krb, List.of("kinit", "-kt", s.path("keytabs").path(carol).asText(), carol));
        assertThat(kinit.exit()).as(kinit.out()).isZero();
        assertThat(run(krb, List.of("klist")).out()).contains("krbtgt/DEV.SECURELAKE.LOCAL@DEV.SECURELAKE.LOCAL");

        String topic = env.names().rawTopic(env.dataset("payments").orElseThrow());
        List<String> kcat = List.of("kcat", "-b", s.path("kafka").path("bootstrap").asText(),
                "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=GSSAPI", "-X", "sasl.kerberos.service.name=kafka",
                "-X", "ssl.ca.location=" + s.path("ca_pem").asText(), "-X", "sasl.kerberos.min.time.before.relogin=0");
        List<String> metadata = new ArrayList<>(kcat);
        metadata.addAll(List.of("-L", "-t", topic));
        Result md = run(krb, metadata);
        assertThat(md.out()).as(md.out()).contains("topic \"" + topic + "\" with 3 partitions");

        String webhdfs = s.path("hdfs").path("webhdfs").asText();
        Result list = run(krb, List.of("curl", "-s", "--negotiate", "-u", ":", "--cacert", s.path("ca_pem").asText(),
                webhdfs + env.names().lakeRoot() + "?op=LISTSTATUS"));
        assertThat(list.out()).contains("\"pathSuffix\":\"raw\"").contains("\"pathSuffix\":\"curated\"");
        Result anonymous = run(Map.of("KRB5_CONFIG", s.path("krb5_conf").asText(), "KRB5CCNAME",
                "FILE:" + securelakeHome.resolve("no-cache")), List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "--negotiate", "-u", ":", "--cacert", s.path("ca_pem").asText(), webhdfs + "/?op=LISTSTATUS"));
        assertThat(anonymous.out()).isEqualTo("401");
    }

    @Test
    @Order(6)
    void killedCoreComponentsAreStartedAgainAloneByTheirSupervisorWithDataAndKeysIntact() throws Exception {
        CoreEndpoints before = endpoints();
        KerberosJvm.useKrb5Conf(Path.of(before.krb5Conf())); // this test JVM's choice, as a client's main makes it
        StackClients clients = new StackClients(env, before);
        String topic = env.names().rawTopic(env.dataset("payments").orElseThrow());
        // Admins administer but do not read or write data: the services do.
        String ingest = env.names().servicePrincipal(io.securelake.envs.ServiceRole.INGEST);
        String reader = env.names().servicePrincipal(io.securelake.envs.ServiceRole.LAKE_WRITER);
        long offset;
        try (var producer = new KafkaProducer<>(clients.kafkaProperties(ingest), new StringSerializer(), new StringSerializer())) {
            offset = producer.send(new ProducerRecord<>(topic, 0, "survivor", "{\"event_id\":\"survivor\"}")).get().offset();
        }

        // A file of the raw zone landed before the crash (ingested by the earlier tests).
        String etl = env.names().servicePrincipal(io.securelake.envs.ServiceRole.ETL);
        String rawDir = env.names().rawPath(env.dataset("payments").orElseThrow());
        String landed = rawFiles(clients, etl, rawDir).get(0);
        Path ingestKeytab = Path.of(before.keytabs().get(before.keytabs().keySet().stream()
                .filter(p -> p.startsWith(ingest + "@")).findFirst().orElseThrow()));
        byte[] keytabBefore = Files.readAllBytes(ingestKeytab);

        // The KDC, the broker and the NameNode, each a process of its own, killed one right after the other; the rest
        // keeps running. The supervisor starts the KDC first, which the others log in to.
        JsonNode running = status();
        Map<String, JsonNode> killed = new LinkedHashMap<>();
        killed.put("kdc", running.path("kdc").path("supervision"));
        killed.put("kafka", running.path("kafka").path("supervision"));
        killed.put("namenode", running.path("hdfs").path("processes").path("namenode").path("supervision"));
        long writer = running.path("lake_writer").path("supervision").path("pid").asLong();
        for (JsonNode s : killed.values()) {
            ProcessHandle p = ProcessHandle.of(s.path("pid").asLong()).orElseThrow();
            p.destroyForcibly();
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        // Nobody runs a command: the supervisor notices each exit and starts that component again.
        JsonNode healed = status();
        long healDeadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!(healed.path("healthy").asBoolean()
                && healed.path("kafka").path("supervision").path("restarts").asInt() == 1
                && healed.path("hdfs").path("processes").path("namenode").path("supervision").path("restarts").asInt() == 1
                && healed.path("kdc").path("supervision").path("restarts").asInt() == 1)) {
            assertThat(System.nanoTime()).as("the components back by themselves; last status: %s", healed).isLessThan(healDeadline);
            healed = status(); // each call is a CLI run: a second or two apart
        }
        Map<String, JsonNode> after = Map.of("kafka", healed.path("kafka").path("supervision"),
                "namenode", healed.path("hdfs").path("processes").path("namenode").path("supervision"),
                "kdc", healed.path("kdc").path("supervision"));
        killed.forEach((name, was) -> {
            JsonNode now = after.get(name);
            assertThat(now.path("last_exit").path("pid").asLong()).as(name).isEqualTo(was.path("pid").asLong());
            assertThat(now.path("last_exit").path("cause").asText()).as(name).isEqualTo("killed by signal 9 (SIGKILL)");
        });
        assertThat(healed.path("lake_writer").path("supervision").path("pid").asLong())
                .as("the lake-writer was not restarted with them").isEqualTo(writer);
        assertThat(healed.path("hdfs").path("processes").path("datanode").path("supervision").path("restarts").asInt()).isZero();
        assertThat(cli("status", "--env", "dev").out()).contains("1 restart; last exit: killed by signal 9");
        assertThat(Files.readAllBytes(ingestKeytab)).as("keys are kept across a KDC restart").isEqualTo(keytabBefore);
        Result up = cli("up", "--env", "dev");
        assertThat(up.exit()).as(up.out()).isZero();
        assertThat(up.out()).contains("already running");
        CoreEndpoints endpointsAfter = endpoints();
        assertThat(endpointsAfter).as("ports, keytabs and addresses are kept across restarts").isEqualTo(before);

        // The clients made before the crash work on: same addresses, same keys.
        StackClients fresh = clients;
        CoreEndpoints afterEndpoints = endpointsAfter;
        KerberosJvm.useKrb5Conf(Path.of(afterEndpoints.krb5Conf()));
        assertThat(rawFiles(fresh, etl, rawDir)).as("HDFS keeps its data across a crash (no re-format)").contains(landed);
        try (var consumer = new KafkaConsumer<>(fresh.kafkaProperties(reader), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            consumer.assign(List.of(p0));
            consumer.seek(p0, offset);
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
            assertThat(values).first().isEqualTo("{\"event_id\":\"survivor\"}");
        }
    }

    @Test
    @Order(8)
    void downStopsExactlyTheCoreAndKeepsItsData() throws Exception {
        JsonNode running = status();
        long pid = running.path("pid").asLong();
        long gateway = running.path("knox").path("pid").asLong();
        List<Long> components = List.of(running.path("kdc"), running.path("kafka"), running.path("hdfs").path("processes").path("namenode"),
                running.path("hdfs").path("processes").path("datanode"), running.path("kms"), running.path("core_agent")).stream()
                .map(c -> c.path("supervision").path("pid").asLong()).toList();
        assertThat(components).as("every component's pid in %s", running).allSatisfy(p -> assertThat(p).isPositive());
        long supervisor = running.path("supervisor").path("pid").asLong();
        assertThat(supervisor).as("the supervisor in %s", running).isPositive();
        Result down = cli("down", "--env", "dev");
        assertThat(down.exit()).isZero();
        assertThat(down.out()).contains("stopped; its data is kept").contains("stopping knox").contains("stopping query");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ProcessHandle.of(gateway).map(ProcessHandle::isAlive).orElse(false)).as("the gateway").isFalse();
        assertThat(components).as("the core's components").allSatisfy(p ->
                assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).isFalse());
        assertThat(ProcessHandle.of(supervisor).map(ProcessHandle::isAlive).orElse(false)).as("the supervisor").isFalse();
        assertThat(cli("status", "--env", "dev").exit()).isEqualTo(3);
        assertThat(cli("down", "--env", "dev").out()).contains("nothing to stop");
        assertThat(securelakeHome.resolve("dev/kafka/metadata/meta.properties")).exists();
        assertThat(securelakeHome.resolve("dev/hdfs")).isNotEmptyDirectory();
    }

    /** Committed raw files, listed as the ETL principal. */
    private static List<String> rawFiles(StackClients clients, String principal, String dir) throws Exception {
        org.apache.hadoop.conf.Configuration conf = clients.hdfsConfiguration();
        return io.securelake.hadoop.HadoopSecurity.doAs(clients.hdfsLogin(conf, principal), () -> {
            List<String> files = new ArrayList<>();
            try (org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.get(conf)) {
                var it = fs.listFiles(new org.apache.hadoop.fs.Path(dir), true);
                while (it.hasNext()) {
                    String f = it.next().getPath().toUri().getPath();
                    if (f.endsWith(".avro") && !f.contains("/_")) {
                        files.add(f);
                    }
                }
            }
            return files;
        });
    }

    private static CoreEndpoints endpoints() throws IOException {
        return CoreEndpoints.read(securelakeHome.resolve("dev").resolve(CoreEndpoints.FILE_NAME));
    }
}
