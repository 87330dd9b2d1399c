package io.securelake.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.AuditSink;
import io.securelake.contracts.CoreEndpoints;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Principals;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.ingest.cli.IngestCommand;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.operations.UserFacingErrors;
import io.securelake.operations.connect.StackClients;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The journey that exists so far, on a running local stack, narrated: authenticated produce,
 * consume and land in the raw zone, read back, and the refusals that must happen.
 */
public final class JourneyDemo {
    private static final int EVENTS = 200;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);

    /** What the demo observed; every expectation that failed is listed in {@link #failures}. */
    public record Outcome(List<String> refusals, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final StackClients clients;
    private final Environment env;
    private final PrintStream out;
    private final IngestCommand.Context ingest;
    private final LongSupplier committedByLakeWriter;

    /**
     * @param ingest                how the ingest principal produces (Kafka, keys, schemas, audit)
     * @param committedByLakeWriter events the running lake-writer has committed so far (its status)
     */
    public JourneyDemo(StackClients clients, IngestCommand.Context ingest, LongSupplier committedByLakeWriter,
                       PrintStream out) {
        this.clients = clients;
        this.env = clients.environment();
        this.ingest = ingest;
        this.committedByLakeWriter = committedByLakeWriter;
        this.out = out;
    }

    public Outcome run() throws Exception {
        EnvironmentNames n = env.names();
        Dataset payments = env.dataset("payments").orElse(env.datasets().get(0));
        String topic = n.rawTopic(payments);
        String ingestPrincipal = n.servicePrincipal(ServiceRole.INGEST);
        String lakeWriter = n.servicePrincipal(ServiceRole.LAKE_WRITER);
        String etl = n.servicePrincipal(ServiceRole.ETL);
        List<String> failures = new ArrayList<>();
        List<String> refusals = new ArrayList<>();

        step("1", ingestPrincipal + " ingests " + EVENTS + " synthetic " + payments.name() + " events to " + topic);
        out.println("     validated against the dataset's schema; card number, account, name, e-mail, phone encrypted on the");
        out.println("     client (envelope keys from the " + env.name() + " KMS, shared through its key registry on Kafka); Kerberos SASL/GSSAPI over TLS, idempotent, acks=all");
        long committedBefore = committedByLakeWriter.getAsLong();
        Set<String> clearPii = new HashSet<>();
        int accepted = 0;
        String deadLetterReason = "none";
        EventGenerator generator = EventGenerator.of(payments.name(), System.nanoTime(), 50, Instant.now(), Duration.ofMinutes(5));
        try (AuditSink audit = ingest.auditSink(env);
             io.securelake.encryption.KekProvider keys = ingest.kekProvider(env);
             io.securelake.encryption.DekRepository deks = ingest.dekRepository(env);
             SecureProducer producer = SecureProducer.open(ingest.ingestConfig(env, payments.name()), env, audit,
                     keys, deks)) {
            List<java.util.concurrent.CompletableFuture<IngestResult>> sent = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                ObjectNode event = generator.next();
                for (String field : new String[] {"card_number", "customer_name", "email"}) {
                    if (event.hasNonNull(field) && event.get(field).asText().length() >= 6) {
                        clearPii.add(event.get(field).asText());
                    }
                }
                sent.add(producer.send(event));
            }
            for (var f : sent) {
                if (f.get() instanceof IngestResult.Accepted) {
                    accepted++;
                }
            }
            IngestResult bad = producer.sendJson("{\"event_id\":\"broken\",\"amount_minor\":\"a lot\"}").get();
            if (bad instanceof IngestResult.DeadLettered d) {
                deadLetterReason = d.reason();
            } else {
                failures.add("an invalid event was not dead-lettered");
            }
        }
        out.println("     accepted " + accepted + "; an invalid event went to " + n.deadLetterTopic(payments) + ": " + deadLetterReason);
        expect(failures, accepted == EVENTS, "every valid event is accepted");

        step("2", "the lake-writer (" + lakeWriter + ", its own process) lands them in " + n.rawPath(payments)
                + "/dt=…/hr=…, exactly once");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long committed = committedByLakeWriter.getAsLong();
        while (committed < committedBefore + accepted && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            committed = committedByLakeWriter.getAsLong();
        }
        int landed = (int) Math.min(Integer.MAX_VALUE, committed - committedBefore);
        out.println("     the lake-writer reports " + landed + " more events committed (" + committed + " in all)");
        expect(failures, landed >= accepted, "the lake-writer commits every accepted event");

        step("3", etl + " reads the raw zone: fields still encrypted, nothing personal in clear");
        Configuration conf = clients.hdfsConfiguration();
        UserGroupInformation reader = clients.hdfsLogin(conf, etl);
        long[] files = new long[1];
        long[] leaks = new long[1];
        long records = HadoopSecurity.doAs(reader, () -> {
            long count = 0;
            try (FileSystem fs = FileSystem.get(conf)) {
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(new Path(n.rawPath(payments)), true);
                while (it.hasNext()) {
                    LocatedFileStatus f = it.next();
                    if (!f.getPath().getName().endsWith(".avro") || f.getPath().toString().contains("/_")) {
                        continue;
                    }
                    files[0]++;
                    byte[] bytes;
                    try (var in = fs.open(f.getPath())) {
                        bytes = in.readAllBytes();
                    }
                    String text = new String(bytes, StandardCharsets.ISO_8859_1);
                    leaks[0] += clearPii.stream().filter(text::contains).count();
                    try (DataFileStream<Object> avro = new DataFileStream<>(new java.io.ByteArrayInputStream(bytes),
                            new GenericDatumReader<>())) {
                        while (avro.hasNext()) {
                            avro.next();
                            count++;
                        }
                    }
                }
            }
            return count;
        });
        out.println("     " + records + " events in " + files[0] + " Avro files; clear personal values found in them: " + leaks[0]);
        expect(failures, records >= accepted, "ETL reads back every landed event");
        expect(failures, leaks[0] == 0, "no clear value of a classified field in the raw zone");

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

        return new Outcome(refusals, failures);
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
        String admin = Principals.qualify(env.names().personPrincipal(env.peopleWithRole(io.securelake.envs.Role.ADMIN).get(0)),
                e.realm());
        String keytab = e.keytabs().get(admin);
        String topic = env.names().rawTopic(env.datasets().get(0));
        return String.join("\n",
                "  export KRB5_CONFIG=" + e.krb5Conf(),
                "  kinit -kt " + keytab + " " + admin + " && klist",
                "  kcat -L -b " + e.kafkaBootstrap() + " -X security.protocol=SASL_SSL -X sasl.mechanisms=GSSAPI \\",
                "       -X sasl.kerberos.service.name=kafka -X ssl.ca.location=" + e.caPem() + " \\",
                // librdkafka otherwise insists on a keytab of its own for its kinit; 0 makes it use kinit's cache
                "       -X sasl.kerberos.min.time.before.relogin=0 -t " + topic,
                "  curl --negotiate -u : --cacert " + e.caPem() + " '" + e.webHdfs() + "/lake/" + env.name()
                        + "?op=LISTSTATUS'");
    }
}
