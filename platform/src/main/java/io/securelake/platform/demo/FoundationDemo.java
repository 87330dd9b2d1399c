package io.securelake.platform.demo;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceRole;
import io.securelake.platform.UserFacingErrors;
import io.securelake.platform.hdfs.HadoopSecurity;
import io.securelake.platform.local.CoreEndpoints;
import io.securelake.platform.local.StackClients;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The journey that exists so far, on a running local stack, narrated: authenticated produce,
 * consume and land in the raw zone, read back, and the refusals that must happen.
 */
public final class FoundationDemo {
    private static final int EVENTS = 20;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);

    /** What the demo observed; every expectation that failed is listed in {@link #failures}. */
    public record Outcome(int produced, int landed, int readBack, List<String> refusals, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final StackClients clients;
    private final Environment env;
    private final PrintStream out;

    public FoundationDemo(StackClients clients, PrintStream out) {
        this.clients = clients;
        this.env = clients.environment();
        this.out = out;
    }

    public Outcome run() throws Exception {
        EnvironmentNames n = env.names();
        Dataset payments = env.datasets().get(0);
        String topic = n.rawTopic(payments);
        String ingest = n.servicePrincipal(ServiceRole.INGEST);
        String lakeWriter = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        String etl = n.servicePrincipal(ServiceRole.ETL);
        List<String> failures = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        String run = UUID.randomUUID().toString().substring(0, 8);

        step("1", ingest + " produces " + EVENTS + " synthetic " + payments.name() + " events to " + topic
                + " (Kerberos SASL/GSSAPI over TLS, idempotent, acks=all)");
        out.println("     (only non-personal fields: client-side field encryption of PII is a later stage)");
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        Set<String> sent = new HashSet<>();
        Properties producerProps = clients.kafkaProperties(ingest);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < EVENTS; i++) {
                String id = run + "-" + i;
                String event = "{\"event_id\":\"" + id + "\",\"amount_minor\":" + (1000 + i * 37)
                        + ",\"currency\":\"EUR\",\"channel\":\"" + (i % 3 == 0 ? "ATM" : "POS")
                        + "\",\"status\":\"APPROVED\",\"event_time\":\"" + Instant.now() + "\"}";
                RecordMetadata md = producer.send(new ProducerRecord<>(topic, id, event)).get();
                firstOffsets.merge(new TopicPartition(md.topic(), md.partition()), md.offset(), Math::min);
                sent.add(event);
            }
        }
        out.println("     sent " + sent.size() + " events to partitions " + firstOffsets.keySet());

        step("2", lakeWriter + " consumes them and lands one file in the raw zone (HDFS, Kerberos)");
        List<String> received = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(clients.kafkaProperties(lakeWriter), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(firstOffsets.keySet());
            firstOffsets.forEach(consumer::seek);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && r.key().startsWith(run + "-")) {
                        received.add(r.value());
                    }
                }
            }
        }
        Instant now = Instant.now();
        Path file = new Path(n.rawPath(payments) + "/dt=" + DAY.format(now) + "/hr=" + HOUR.format(now)
                + "/demo-" + run + ".jsonl");
        Configuration conf = clients.hdfsConfiguration();
        UserGroupInformation writer = clients.hdfsLogin(conf, lakeWriter);
        HadoopSecurity.doAs(writer, () -> {
            try (FileSystem fs = FileSystem.get(conf); FSDataOutputStream o = fs.create(file, false)) {
                o.write((String.join("\n", received) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
        out.println("     landed " + received.size() + " events in " + file);
        expect(failures, received.size() == sent.size() && new HashSet<>(received).equals(sent),
                "the lake-writer received exactly the events sent");

        step("3", etl + " reads the raw file back");
        UserGroupInformation reader = clients.hdfsLogin(conf, etl);
        String content = HadoopSecurity.doAs(reader, () -> {
            try (FileSystem fs = FileSystem.get(conf); var in = fs.open(file)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        int readBack = (int) content.lines().filter(l -> !l.isBlank()).count();
        out.println("     read " + readBack + " events");
        expect(failures, readBack == sent.size(), "ETL reads back every landed event");

        step("4", "refusals: each of these must be denied");
        refusals.add(refused(failures, "mallory (authenticated, no grants) produces to " + topic, () -> {
            Properties p = clients.kafkaProperties("mallory");
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
            try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "x", "{}")).get();
            }
        }));
        String analyst = env.peopleWithRole(io.securelake.envs.Role.ANALYST).get(0).name();
        refusals.add(refused(failures, analyst + " (analyst) reads the raw zone " + n.rawZone(), () -> {
            UserGroupInformation a = clients.hdfsLogin(conf, analyst);
            HadoopSecurity.doAs(a, () -> {
                try (FileSystem fs = FileSystem.get(conf)) {
                    return fs.listStatus(new Path(n.rawPath(payments)));
                }
            });
        }));
        refusals.add(refused(failures, "a client without Kerberos credentials lists " + n.lakeRoot(), () -> {
            UserGroupInformation nobody = UserGroupInformation.createRemoteUser("nobody");
            HadoopSecurity.doAs(nobody, () -> {
                try (FileSystem fs = FileSystem.get(conf)) {
                    return fs.listStatus(new Path(n.lakeRoot()));
                }
            });
        }));
        refusals.add(refused(failures, "a PLAINTEXT Kafka client (no SASL, no TLS) asks for metadata", () -> {
            Properties p = new Properties();
            p.put("bootstrap.servers", clients.endpoints().kafkaBootstrap());
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
            try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.partitionsFor(topic);
            }
        }));

        out.println();
        out.println(failures.isEmpty() ? "Demo complete: every step behaved as it must."
                : "Demo found problems:\n  - " + String.join("\n  - ", failures));
        return new Outcome(sent.size(), received.size(), readBack, refusals, failures);
    }

    /** Runs an action that must be refused; records the refusal message, or a failure if it was allowed. */
    private String refused(List<String> failures, String what, ThrowingAction action) {
        out.print("   - " + what + ": ");
        try {
            action.run();
            out.println("ALLOWED (this is a security defect)");
            failures.add("not refused: " + what);
            return what + ": allowed";
        } catch (Exception e) {
            String why = UserFacingErrors.explain(e);
            out.println("refused\n       " + why);
            return what + ": " + why;
        }
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

    @FunctionalInterface
    private interface ThrowingAction {
        void run() throws Exception;
    }

    /** Copy-paste commands for the standard clients against this stack. */
    public static String standardClientCommands(Environment env, CoreEndpoints e) {
        String admin = env.peopleWithRole(io.securelake.envs.Role.ADMIN).get(0).name();
        String keytab = e.keytabs().get(admin + "@" + e.realm());
        String topic = env.names().rawTopic(env.datasets().get(0));
        return String.join("\n",
                "  export KRB5_CONFIG=" + e.krb5Conf(),
                "  kinit -kt " + keytab + " " + admin + "@" + e.realm() + " && klist",
                "  kcat -L -b " + e.kafkaBootstrap() + " -X security.protocol=SASL_SSL -X sasl.mechanisms=GSSAPI \\",
                "       -X sasl.kerberos.service.name=kafka -X ssl.ca.location=" + e.caPem() + " -t " + topic,
                "  curl --negotiate -u : --cacert " + e.caPem() + " '" + e.webHdfs() + "/lake/" + env.name()
                        + "?op=LISTSTATUS'");
    }
}
