package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.audit.AuditQuery;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSearch;
import io.securelake.devstack.local.CoreStack;
import io.securelake.devstack.local.PolicyEnforcement;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.operations.audit.AuditShipper;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment's Ranger policies, enforced by the real engine inside the real broker and NameNode,
 * exercised with real clients: the baseline allowed and refused, a live policy edit, the audit trail
 * of both outcomes, and its copy in HDFS.
 */
class PolicyEnforcementTest {
    @TempDir
    static Path base;
    static Path policies;
    static CoreStack stack;
    static StackClients clients;
    static Environment env;
    static Dataset payments;
    static Configuration conf;
    static String ingest;
    static String lakeWriter;
    static String etl;

    @BeforeAll
    static void start() throws Exception {
        env = ShippedEnvironments.load("dev");
        payments = env.dataset("payments").orElseThrow();
        PolicyEnforcement project = PolicyEnforcement.projectDefaults(env);
        // A copy, so that the live edit below does not touch the repository's policies.
        policies = base.resolve("policies");
        try (Stream<Path> files = Files.walk(project.policiesDir())) {
            for (Path p : files.toList()) {
                Path target = policies.resolve(project.policiesDir().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        stack = CoreStack.start(env, CoreJvm.prepare(env, new StackHome(base.resolve("dev"))), new PolicyEnforcement(project.envsDir(), policies),
                System.out::println);
        clients = stack.clients();
        conf = clients.hdfsConfiguration();
        ingest = env.names().servicePrincipal(ServiceRole.INGEST);
        lakeWriter = env.names().servicePrincipal(ServiceRole.LAKE_WRITER);
        etl = env.names().servicePrincipal(ServiceRole.ETL);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static void produce(String principal, String topic) throws Exception {
        Properties p = clients.kafkaProperties(principal);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", "{}")).get();
        }
    }

    /**
     * The refusal, unwrapped: a future's ExecutionException, or the producer's "error state" KafkaException
     * when a refused idempotent-write check reached {@code send} before the future (timing decides which).
     */
    private static Throwable refusedToProduce(String principal, String topic) {
        Throwable t = catchThrowable(() -> produce(principal, topic));
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return c;
            }
        }
        return t instanceof java.util.concurrent.ExecutionException ? t.getCause() : t;
    }

    private static <T> T hdfs(String principal, HdfsAction<T> action) throws Exception {
        UserGroupInformation ugi = clients.hdfsLogin(conf, principal);
        return HadoopSecurity.doAs(ugi, () -> {
            try (FileSystem fs = FileSystem.get(conf)) {
                return action.run(fs);
            }
        });
    }

    private static Throwable refusedOnHdfs(String principal, HdfsAction<?> action) {
        return catchThrowable(() -> hdfs(principal, action));
    }

    @FunctionalInterface
    interface HdfsAction<T> {
        T run(FileSystem fs) throws Exception;
    }

    private static org.apache.hadoop.fs.Path path(String p) {
        return new org.apache.hadoop.fs.Path(p);
    }

    /** Polls a real outcome until it holds or the timeout passes. */
    private static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        return condition.getAsBoolean();
    }

    @Test
    void kafkaBaseline() throws Exception {
        String raw = env.names().rawTopic(payments);
        String dlq = env.names().deadLetterTopic(payments);
        produce(ingest, raw);
        produce(ingest, dlq);
        assertThat(refusedToProduce("alice", raw)).isInstanceOf(TopicAuthorizationException.class);
        // An idempotent producer asks for cluster IDEMPOTENT_WRITE first: refused there, or at the topic.
        assertThat(refusedToProduce(lakeWriter, raw)).as("the lake-writer only reads")
                .isInstanceOf(org.apache.kafka.common.errors.AuthorizationException.class);
        assertThat(refusedToProduce("mallory", dlq)).isInstanceOf(TopicAuthorizationException.class);

        try (var consumer = new KafkaConsumer<>(clients.kafkaProperties(lakeWriter), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition p0 = new TopicPartition(raw, 0);
            consumer.assign(List.of(p0));
            consumer.seekToBeginning(List.of(p0));
            assertThat(consumer.position(p0, Duration.ofSeconds(20))).isGreaterThanOrEqualTo(0);
        }
        Throwable analystReads = catchThrowable(() -> {
            try (var consumer = new KafkaConsumer<>(clients.kafkaProperties("alice"), new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition(raw, 0)));
                consumer.poll(Duration.ofSeconds(10));
            }
        });
        assertThat(analystReads).isInstanceOf(TopicAuthorizationException.class);

        // Dead letters are inspectable by admins (their classified fields stay encrypted); raw data is not.
        String admin = env.peopleWithRole(io.securelake.envs.Role.ADMIN).get(0).name();
        try (var consumer = new KafkaConsumer<>(clients.kafkaProperties(admin), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition d0 = new TopicPartition(dlq, 0);
            consumer.assign(List.of(d0));
            consumer.seekToBeginning(List.of(d0));
            assertThat(consumer.poll(Duration.ofSeconds(20)).count()).isGreaterThanOrEqualTo(1);
        }
        Throwable adminReadsRaw = catchThrowable(() -> {
            try (var consumer = new KafkaConsumer<>(clients.kafkaProperties(admin), new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition(raw, 0)));
                consumer.poll(Duration.ofSeconds(10));
            }
        });
        assertThat(adminReadsRaw).isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void hdfsBaseline() throws Exception {
        String rawFile = env.names().rawPath(payments) + "/dt=2026-11-25/hr=03/part-0-0-9.avro";
        String curatedFile = env.names().curatedPath(payments) + "/fact_payment/part-0.parquet";
        hdfs(lakeWriter, fs -> {
            fs.create(path(rawFile)).close();
            fs.create(path(env.names().quarantinePath(payments) + "/bad-0-5.json")).close();
            return null;
        });
        assertThat(refusedOnHdfs(lakeWriter, fs -> fs.create(path(curatedFile)))).isInstanceOf(AccessControlException.class);
        boolean etlSeesRaw = hdfs(etl, fs -> fs.exists(path(rawFile)));
        assertThat(etlSeesRaw).isTrue();
        hdfs(etl, fs -> {
            fs.create(path(curatedFile)).close();
            return null;
        });
        assertThat(refusedOnHdfs(etl, fs -> fs.create(path(env.names().rawPath(payments) + "/forged.avro"))))
                .isInstanceOf(AccessControlException.class);
        assertThat(refusedOnHdfs("alice", fs -> fs.open(path(rawFile)))).isInstanceOf(AccessControlException.class)
                .hasMessageContaining("user=alice");
        assertThat(refusedOnHdfs("mallory", fs -> fs.listStatus(path(env.names().lakeRoot()))))
                .isInstanceOf(AccessControlException.class);
    }

    @Test
    void aPolicyEditTakesEffectLiveAndBothOutcomesAreAudited() throws Exception {
        String file = env.names().rawPath(payments) + "/dt=2026-11-25/hr=04/part-1-0-9.avro";
        hdfs(lakeWriter, fs -> {
            fs.create(path(file)).close();
            return null;
        });
        Instant before = Instant.now();
        boolean readable = hdfs(etl, fs -> fs.exists(path(file)));
        assertThat(readable).isTrue();

        // Revoke ETL's read of the raw zone by editing the policy file, as an admin's pull request would.
        Path hdfsPolicies = policies.resolve(env.name()).resolve(env.name() + "_hdfs.json");
        String original = Files.readString(hdfsPolicies);
        Files.writeString(hdfsPolicies, original.replace("\"name\" : \"etl-read-raw-zone\",\n    \"policyPriority\"",
                "\"name\" : \"etl-read-raw-zone\",\n    \"policyPriority\"").replaceFirst(
                "(\"name\" : \"etl-read-raw-zone\",[\\s\\S]*?\"users\" : \\[ )\"" + etl + "\"", "$1\"nobody-at-all\""));
        assertThat(Files.readString(hdfsPolicies)).isNotEqualTo(original);
        Instant edited = Instant.now();
        boolean revoked = eventually(Duration.ofSeconds(30),
                () -> refusedOnHdfs(etl, fs -> {
                    fs.open(path(file)).close();
                    return null;
                }) instanceof AccessControlException);
        Duration delay = Duration.between(edited, Instant.now());
        assertThat(revoked).as("revoked within 30 s").isTrue();
        System.out.println("revocation took effect after " + delay.toMillis() + " ms");

        Files.writeString(hdfsPolicies, original);
        assertThat(eventually(Duration.ofSeconds(30), () -> refusedOnHdfs(etl, fs -> fs.exists(path(file))) == null)).isTrue();

        String shortEtl = etl;
        // exists() is a traversal check on the parents, open() a read of the file: both are decisions.
        List<AuditRecord> allowed = AuditSearch.in(stack.home().auditDir().resolve("hdfs")).find(
                AuditQuery.all().withUser(shortEtl).withResource(env.names().rawPath(payments))
                        .withResult(AuditRecord.Result.ALLOWED).withSince(before));
        // Revoked, ETL is refused already at the traversal of the raw zone.
        List<AuditRecord> denied = AuditSearch.in(stack.home().auditDir().resolve("hdfs")).find(
                AuditQuery.all().withUser(shortEtl).withResource(env.names().rawZone())
                        .withResult(AuditRecord.Result.DENIED).withSince(before));
        assertThat(allowed).isNotEmpty();
        assertThat(denied).isNotEmpty();
        assertThat(denied.get(0).environment()).isEqualTo("dev");
        assertThat(denied.get(0).stage()).isEqualTo("hdfs");
        assertThat(denied.get(0).reason()).isNotBlank();
    }

    @Test
    void theTrailIsShippedToHdfsForAuditorsOnlyAndNothingIsLostWhileHdfsIsUnreachable() throws Exception {
        assertThat(refusedToProduce("mallory", env.names().rawTopic(payments))).isNotNull(); // a fresh denial to ship
        // Kafka keeps one chain per authorizer instance (broker, controller); find the one holding it.
        Path[] localFile = new Path[1];
        assertThat(eventually(Duration.ofSeconds(10), () -> {
            try (Stream<Path> files = Files.walk(stack.home().auditDir(), 2)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                    if (f.getParent().getFileName().toString().startsWith("kafka")
                            && Files.readString(f).contains("\"user\":\"mallory\"")) {
                        localFile[0] = f;
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        })).as("the denial reached the local trail").isTrue();
        Configuration unreachable = new Configuration(conf);
        unreachable.set("fs.defaultFS", "hdfs://localhost:1");
        unreachable.setInt("ipc.client.connect.max.retries", 0);
        unreachable.setInt("ipc.client.connect.timeout", 1000);
        UserGroupInformation superuser = clients.hdfsLogin(conf, "hdfs/localhost");
        try (AuditShipper down = new AuditShipper(stack.home().auditDir(), env.names().auditPath(), unreachable, superuser,
                m -> { })) {
            assertThat(down.shipOnce().complete()).as("HDFS unreachable: records stay in the local spool").isFalse();
        } catch (RuntimeException expectedOnFinalShip) {
            // close() ships once more against the same unreachable HDFS
        }
        // The background shipper may have just appended to the same files; HDFS can refuse an append until
        // the previous one's last block is complete. A round that fails keeps the lines for the next one.
        AuditShipper.Round[] round = new AuditShipper.Round[1];
        assertThat(eventually(Duration.ofSeconds(20), () -> (round[0] = stack.shipAudit()).complete()))
                .as("a complete shipping round once HDFS is reachable: %s", round[0]).isTrue();

        String hdfsFile = env.names().auditPath() + "/" + localFile[0].getParent().getFileName() + "/"
                + localFile[0].getFileName();
        String auditor = env.peopleWithRole(io.securelake.envs.Role.AUDITOR).get(0).name();
        String shipped = hdfs(auditor, fs -> {
            try (var in = fs.open(path(hdfsFile))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        String local = Files.readString(localFile[0]);
        assertThat(local).startsWith(shipped);
        assertThat(shipped).contains("\"user\":\"mallory\"").endsWith("\n");
        assertThat(refusedOnHdfs("alice", fs -> fs.open(path(hdfsFile)))).isInstanceOf(AccessControlException.class);

        // Appends keep working round after round: the file has the cluster's replication (asking for more
        // replicas than there are DataNodes made every append after the first fail).
        Integer fileReplication = hdfs(auditor, fs -> (int) fs.getFileStatus(path(hdfsFile)).getReplication());
        Integer clusterReplication = hdfs(auditor, fs -> (int) fs.getServerDefaults(path(hdfsFile)).getReplication());
        assertThat(fileReplication).isEqualTo(clusterReplication);
        for (int i = 0; i < 2; i++) {
            long before = hdfs(auditor, fs -> fs.getFileStatus(path(hdfsFile)).getLen());
            assertThat(refusedToProduce("mallory", env.names().rawTopic(payments))).isNotNull();
            assertThat(eventually(Duration.ofSeconds(10), () -> {
                try {
                    return Files.size(localFile[0]) > before;
                } catch (java.io.IOException e) {
                    return false;
                }
            })).as("a new denial in the local trail").isTrue();
            AuditShipper.Round next = stack.shipAudit();
            assertThat(next.complete()).as("append round %d: %s", i, next).isTrue();
            Long after = hdfs(auditor, fs -> fs.getFileStatus(path(hdfsFile)).getLen());
            assertThat(after).isGreaterThan(before);
        }
    }

    private static Config describe(Admin admin, ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }

    /** A config's entries as name → value, source and sensitivity: what an unchanged configuration keeps. */
    private static Map<String, String> entries(Admin admin, ConfigResource resource) throws Exception {
        return describe(admin, resource).entries().stream().collect(Collectors.toMap(ConfigEntry::name,
                e -> e.value() + " (" + e.source() + ", sensitive=" + e.isSensitive() + ")"));
    }

    /** The refusal behind a Kafka admin call's future, unwrapped. */
    private static Throwable refusedAdminCall(java.util.concurrent.Callable<?> call) {
        Throwable t = catchThrowable(call::call);
        return t instanceof java.util.concurrent.ExecutionException ? t.getCause() : t;
    }

    /**
     * The broker's configuration is deployed: an admin may describe it but not change it through the Kafka
     * API (a new JAAS login on the client listener, a logger turned to TRACE), whatever the policies say.
     */
    @Test
    void anAdminCannotChangeTheBrokersConfigurationThroughKafka() throws Exception {
        String admin = env.peopleWithRole(io.securelake.envs.Role.ADMIN).get(0).name();
        Instant before = Instant.now();
        try (Admin carol = Admin.create(clients.kafkaProperties(admin))) {
            String nodeId = carol.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().idString();
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, nodeId);
            ConfigResource loggers = new ConfigResource(ConfigResource.Type.BROKER_LOGGER, nodeId);
            // The client listener's name, as the broker reports it (it is what clients connect to).
            String listener = describe(carol, broker).get("inter.broker.listener.name").value().toLowerCase();
            String jaasKey = "listener.name." + listener + ".gssapi.sasl.jaas.config";
            Map<String, String> brokerBefore = entries(carol, broker);
            Map<String, String> loggersBefore = entries(carol, loggers);

            String foreignLogin = "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true "
                    + "keyTab=\"/tmp/attacker.keytab\" principal=\"kafka/localhost@" + env.realm() + "\";";
            assertThat(refusedAdminCall(() -> carol.incrementalAlterConfigs(Map.of(broker, List.of(new AlterConfigOp(
                    new ConfigEntry(jaasKey, foreignLogin), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS)))
                    .as("replacing the client listener's JAAS login").isInstanceOf(ClusterAuthorizationException.class);
            assertThat(refusedAdminCall(() -> carol.incrementalAlterConfigs(Map.of(loggers, List.of(new AlterConfigOp(
                    new ConfigEntry("root", "TRACE"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS)))
                    .as("turning the broker's root logger to TRACE").isInstanceOf(ClusterAuthorizationException.class);

            Map<String, String> brokerAfter = entries(carol, broker);
            assertThat(brokerAfter).isEqualTo(brokerBefore);
            assertThat(brokerAfter.get(jaasKey)).as("set at deployment, not dynamically").contains("STATIC_BROKER_CONFIG");
            assertThat(entries(carol, loggers)).isEqualTo(loggersBefore);
        }
        // Both refusals are on record with the reason (Kafka keeps a chain per authorizer: broker, controller).
        AtomicReference<List<AuditRecord>> refused = new AtomicReference<>(List.of());
        assertThat(eventually(Duration.ofSeconds(10), () -> refused.updateAndGet(r -> kafkaAudit(AuditQuery.all().withUser(admin)
                .withResource("cluster=kafka-cluster").withResult(AuditRecord.Result.DENIED).withSince(before))).stream()
                .mapToLong(AuditRecord::decisions).sum() >= 2)).as("the refusals reached the trail: %s", refused).isTrue();
        assertThat(refused.get()).allSatisfy(r -> {
            assertThat(r.action()).isEqualTo("alter_configs");
            assertThat(r.policy()).isNull();
            assertThat(r.reason()).contains("refused to everyone but the broker's super users, whatever the policies say");
        });
    }

    /** Records of every Kafka authorizer's trail (broker and controller each keep one) matching {@code query}. */
    private static List<AuditRecord> kafkaAudit(AuditQuery query) {
        try (Stream<Path> dirs = Files.list(stack.home().auditDir())) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("kafka"))
                    .flatMap(d -> AuditSearch.in(d).find(query).stream()).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
