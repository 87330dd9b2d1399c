package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.core.CiphertextFormat;
import io.securelake.encryption.core.SubjectRefs;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.cli.IngestCommand;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestConfig;
import io.securelake.ingest.producer.IngestException;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.operations.keys.KmsKekProvider;
import io.securelake.operations.keys.LocalKeyStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The KMS down while the producer needs it, over the real core (Kafka, the Hadoop KMS with SPNEGO and
 * ACLs), the producer acting as the ingest service through the KMS exactly as {@code securelake ingest} does.
 *
 * <p>A producer needs the KMS for the dataset's keys (the deterministic key, the period's wrapping key) when it first
 * uses them; after that neither a known nor a new customer's event does: a new customer's key is random and sealed
 * under the wrapping key locally (docs/KEYS.md). When the KMS is needed and down, the behaviour chosen is a
 * <b>bounded wait, then refusal</b>: {@code send}
 * waits for the key service with a doubling pause, as Kafka's {@code send} waits for a broker, up to
 * {@code max.block.ms} timed from the start of the outage (60 s by default; {@link #WAIT} here). A KMS that comes back
 * within that (a restart, the supervisor restarting the core) costs a pause and no event; past it the event is refused:
 * its future fails with an {@link IngestException} naming the key service, it is counted as failed, and later events
 * needing it in the same outage are refused at once instead of each waiting again. Immediate refusal would turn every
 * KMS restart into failed events the user must find and send again (a resend of a whole file duplicates the accepted
 * ones); an unbounded wait would hang the caller on a KMS that is gone.
 *
 * <p>Per event, whatever happened: accepted means in the raw topic exactly once, at the offset reported, its personal
 * fields ciphertext under its own customer's key (the account id itself under the dataset's deterministic key) and
 * decryptable to what was sent; not accepted means a failed future
 * with a reason naming the key service and no stack trace, in no topic; the counters agree; no other topic receives
 * anything.
 */
class IngestKmsOutageTest {
    /** The producer's max.block.ms in these tests: how long a send waits for an unreachable key service. */
    static final Duration WAIT = Duration.ofSeconds(8);
    static final List<String> CLASSIFIED = List.of("card_number", "account_id", "customer_name", "email", "phone");

    @TempDir
    static Path base;
    static PipelineFixture fx;
    static String kek;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(base);
        kek = fx.env.names().keyEncryptionKey(fx.env.dataset("payments").orElseThrow());
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    /** Whatever a test did, the next one starts with the KMS up. */
    @AfterEach
    void kmsUp() {
        fx.stack.kms().restart();
    }

    /** One event handed to the producer and what became of it. */
    record Outcome(ObjectNode event, IngestResult result, Throwable error, Duration took) {
        String id() {
            return event.get("event_id").asText();
        }
    }

    @Test
    void aProducerWaitsOutAShortKmsOutageNeedsNoKmsForNewCustomersOnceKeyedAndIsRefusedPastTheBound() throws Exception {
        String ingest = fx.principal(ServiceRole.INGEST);
        DekRepository repo = FieldEncryption.directoryRepository(Files.createDirectories(base.resolve("api-deks")));
        EventGenerator gen = EventGenerator.of("payments", 16);
        List<Outcome> outcomes = new ArrayList<>();
        Path auditDir = base.resolve("api-audit");
        DatasetSchema schema;
        java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> restartOnMiss = new java.util.concurrent.atomic.AtomicReference<>();
        try (KmsKekProvider kms = LocalKeyStores.kekProvider(fx.stack.endpoints(), fx.hdfsUser(ingest));
             JsonLinesAuditSink audit = new JsonLinesAuditSink(auditDir)) {
            try (SecureProducer producer = SecureProducer.open(config(), fx.env, audit,
                    restartsTheKmsWhenMissed(kms, restartOnMiss), repo)) {
                schema = producer.schema();
                // Opened with the KMS up (it checks the KEK), then a short outage: the first event needs the dataset's
                // keys (the deterministic key, the period's wrapping key) and waits until the KMS is back.
                fx.stack.kms().stop();
                CompletableFuture<Void> back = new CompletableFuture<>();
                restartOnMiss.set(back);
                Outcome waited = accepted(send(producer, payment(gen, "NEW-1")));
                back.get(60, java.util.concurrent.TimeUnit.SECONDS); // the KMS was missed, then restarted while it waited
                outcomes.add(waited);

                // Once it holds them, neither a known nor a new customer needs the key service: a new customer's key
                // is random and sealed under the wrapping key, here.
                fx.stack.kms().stop();
                Outcome known = accepted(send(producer, payment(gen, "NEW-1")));
                assertThat(known.took()).isLessThan(WAIT.dividedBy(2));
                outcomes.add(known);
                Outcome newDuringOutage = accepted(send(producer, payment(gen, "NEW-2")));
                assertThat(newDuringOutage.took()).isLessThan(WAIT.dividedBy(2));
                outcomes.add(newDuringOutage);
                producer.flush();
                assertThat(producer.stats().accepted()).isEqualTo(3);
                assertThat(producer.stats().failed()).isZero();
            }

            // Another producer (a new process) opened while the KMS is up, then a long outage: its first event waits
            // for the bound, then is refused, naming the key service.
            fx.stack.kms().restart();
            try (SecureProducer producer = SecureProducer.open(config(), fx.env, audit, kms, repo)) {
                fx.stack.kms().stop();
                Outcome refused = refused(send(producer, payment(gen, "NEW-3")));
                assertThat(refused.took()).isBetween(WAIT, WAIT.plusSeconds(10));
                assertThat(refused.error().getMessage())
                        .startsWith("cannot encrypt the classified fields of a payments event, so it was not sent: the key service "
                                + fx.stack.endpoints().kmsUri() + " is unreachable (Connection refused)")
                        .contains("longer than the 8.0 s a caller waits");
                outcomes.add(refused);
                // The outage is past its bound: the next event is refused at once, not after another wait ...
                Outcome refusedAtOnce = refused(send(producer, payment(gen, "NEW-4")));
                assertThat(refusedAtOnce.took()).isLessThan(WAIT.dividedBy(2));
                outcomes.add(refusedAtOnce);
                // ... and so is an invalid event, whose dead letter cannot be encrypted: it fails (it is neither
                // dead-lettered nor sent in clear, and send does not throw).
                ObjectNode invalid = payment(gen, "NEW-5");
                invalid.remove("amount");
                Outcome undeadLettered = refused(send(producer, invalid));
                assertThat(undeadLettered.error().getMessage()).startsWith("a refused payments event (field 'amount': required "
                        + "field is missing) cannot be encrypted for dev.dlq.payments, so it was not sent: the key service");
                outcomes.add(undeadLettered);

                // The KMS is back: the refused customer's next event is sent.
                fx.stack.kms().restart();
                outcomes.add(accepted(send(producer, payment(gen, "NEW-3"))));

                producer.flush();
                var stats = producer.stats();
                assertThat(stats.accepted()).isEqualTo(1);
                assertThat(stats.failed()).isEqualTo(3);
                assertThat(stats.deadLettered()).isZero();
            }
        }
        // The refusal of the invalid event is in the audit trail, as failed.
        try (var files = Files.list(auditDir)) {
            List<String> lines = new ArrayList<>();
            for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                lines.addAll(Files.readAllLines(f));
            }
            assertThat(lines).singleElement().asString().contains("ingest.reject").contains("failed: field 'amount'")
                    .contains("dead_letter_error=KeyServiceUnavailableException");
        }

        assertLandedAsReported(schema, repo, outcomes);
    }

    @Test
    void theIngestCommandReportsEventsTheKeyServiceCouldNotKeyAsNotDeliveredAndWaitsOncePerOutage() throws Exception {
        String ingest = fx.principal(ServiceRole.INGEST);
        EventGenerator gen = EventGenerator.of("payments", 17);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            lines.add(payment(gen, "CLI-" + i).toString());
        }
        Path file = Files.write(base.resolve("cli-events.jsonl"), lines);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<Integer, Long> rawBefore = fx.endOffsets(fx.env.names().rawTopic(fx.env.dataset("payments").orElseThrow()));
        int exit;
        long t0 = System.nanoTime();
        try (KmsKekProvider kms = LocalKeyStores.kekProvider(fx.stack.endpoints(), fx.hdfsUser(ingest))) {
            KekProvider downAfterOpen = stopsTheKmsOnceTheKekIsChecked(kms);
            IngestCommand.Context context = new IngestCommand.Context() {
                @Override
                public Environment environment(String name) {
                    return fx.env;
                }

                @Override
                public IngestConfig ingestConfig(Environment env, String dataset) {
                    return config();
                }

                @Override
                public io.securelake.audit.AuditSink auditSink(Environment env) {
                    return new JsonLinesAuditSink(base.resolve("cli-audit"));
                }

                @Override
                public KekProvider kekProvider(Environment env) {
                    return downAfterOpen;
                }

                @Override
                public DekRepository dekRepository(Environment env) {
                    return FieldEncryption.directoryRepository(base.resolve("cli-deks"));
                }

                @Override
                public PrintStream out() {
                    return new PrintStream(out, true, StandardCharsets.UTF_8);
                }

                @Override
                public PrintStream err() {
                    return new PrintStream(err, true, StandardCharsets.UTF_8);
                }
            };
            exit = new CommandLine(new IngestCommand(context)).execute("--env", "dev", "--dataset", "payments",
                    "--file", file.toString(), "--threads", "2", "--no-progress");
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String printed = out.toString(StandardCharsets.UTF_8);
        String errors = err.toString(StandardCharsets.UTF_8);

        assertThat(exit).as(printed + errors).isEqualTo(1);
        assertThat(printed).startsWith("sent 0, dead-lettered 0, failed 8 in ");
        assertThat(errors).startsWith("not delivered:\n");
        List<String> reported = errors.lines().skip(1).toList();
        assertThat(reported).hasSize(8).allSatisfy(l -> assertThat(l).matches("  #[1-8]: cannot encrypt the classified "
                + "fields of a payments event, so it was not sent: the key service \\Q" + fx.stack.endpoints().kmsUri()
                + "\\E is unreachable \\(Connection refused\\).*"));
        assertThat(reported.stream().map(l -> l.substring(0, 5)).sorted())
                .containsExactly("  #1:", "  #2:", "  #3:", "  #4:", "  #5:", "  #6:", "  #7:", "  #8:");
        assertThat(printed + errors).doesNotContain("\tat ").doesNotContain("Exception");
        // Eight new customers on two sending threads: one bounded wait for the outage, not one per customer.
        assertThat(took).isLessThan(WAIT.multipliedBy(3));
        assertThat(fx.endOffsets(fx.env.names().rawTopic(fx.env.dataset("payments").orElseThrow())))
                .as("nothing reached the raw topic").isEqualTo(rawBefore);
    }

    // ------------------------------------------------------------------ what landed

    /**
     * Every accepted event is in the raw topic once, at its reported offset, encrypted under its customer's key and
     * decryptable to what was sent; no refused event is anywhere; no other topic of the environment received anything.
     */
    private static void assertLandedAsReported(DatasetSchema schema, DekRepository repo, List<Outcome> outcomes)
            throws Exception {
        Dataset payments = fx.env.dataset("payments").orElseThrow();
        String rawTopic = fx.env.names().rawTopic(payments);
        Map<String, Outcome> accepted = new LinkedHashMap<>();
        Set<String> clearValues = new HashSet<>();
        for (Outcome o : outcomes) {
            if (o.result() != null) {
                accepted.put(o.id(), o);
            }
            CLASSIFIED.forEach(f -> clearValues.add(o.event().get(f).asText()));
        }
        List<String> topics = new ArrayList<>();
        for (Dataset d : fx.env.datasets()) {
            topics.add(fx.env.names().rawTopic(d));
            topics.add(fx.env.names().deadLetterTopic(d));
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topics);
        // Nothing anywhere else: no dead letter, nothing in another dataset's topics.
        assertThat(records).as("records outside " + rawTopic).allMatch(r -> r.topic().equals(rawTopic));
        Map<String, Integer> copies = new HashMap<>();
        String etl = fx.principal(ServiceRole.ETL);
        try (KmsKekProvider etlKms = LocalKeyStores.kekProvider(fx.stack.endpoints(), fx.hdfsUser(etl));
             FieldCipher reader = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), etlKms, repo)) {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                IngestPipelineTest.assertNoneContained(r.value(), clearValues, "raw record value");
                IngestPipelineTest.assertNoneContained(r.key(), clearValues, "raw record key");
                assertThat(EventEncoding.version(r.value())).isEqualTo(schema.version());
                GenericRecord record = new GenericDatumReader<GenericRecord>(schema.wire()).read(null, DecoderFactory.get()
                        .binaryDecoder(r.value(), EventEncoding.HEADER_LENGTH, r.value().length - EventEncoding.HEADER_LENGTH, null));
                String id = record.get("event_id").toString();
                copies.merge(id, 1, Integer::sum);
                Outcome sent = accepted.get(id);
                assertThat(sent).as("event %s in the raw topic was not reported accepted", id).isNotNull();
                assertThat(sent.result()).isEqualTo(new IngestResult.Accepted(rawTopic, r.partition(), r.offset()));
                String account = sent.event().get("account_id").asText();
                // The subject's own fields are under its key; the subject id itself under the dataset's deterministic key.
                DekId customerKey = repo.findShared(kek, SubjectRefs.sharedName(kek, account)).orElseThrow().id();
                DekId datasetKey = repo.findShared(kek, SubjectRefs.DETERMINISTIC_SHARED_NAME).orElseThrow().id();
                ObjectNode encrypted = sent.event().objectNode();
                for (String field : CLASSIFIED) {
                    ByteBuffer value = ((ByteBuffer) record.get(field)).duplicate();
                    byte[] ciphertext = new byte[value.remaining()];
                    value.get(ciphertext);
                    CiphertextFormat.Header header = CiphertextFormat.parse(ciphertext);
                    assertThat(header.kekName()).isEqualTo(kek);
                    assertThat(header.dekId()).as("key of %s in event %s", field, id)
                            .isEqualTo(field.equals("account_id") ? datasetKey : customerKey);
                    encrypted.put(field, CiphertextFormat.toText(ciphertext));
                }
                ObjectNode clear = FieldEncryption.recordCipher(reader).decrypt(encrypted, schema.recordSchema("dev"));
                for (String field : CLASSIFIED) {
                    assertThat(clear.get(field).asText()).as(field).isEqualTo(sent.event().get(field).asText());
                }
            }
        }
        assertThat(copies).as("events in the raw topic, with their copies")
                .isEqualTo(accepted.keySet().stream().collect(Collectors.toMap(id -> id, id -> 1)));
    }

    /**
     * Every record of {@code topics}, read as the broker's own identity: no person or service may read dead letters
     * under the baseline policies.
     */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(List<String> topics) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(fx.stack.clients().kafkaProperties("kafka/localhost"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = topics.stream().flatMap(topic -> c.partitionsFor(topic, Duration.ofMinutes(1))
                    .stream().map(i -> new TopicPartition(topic, i.partition()))).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofMinutes(1));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    static IngestConfig config() {
        IngestConfig.ProducerTuning d = IngestConfig.ProducerTuning.defaults();
        return fx.ingestConfig("payments", fx.principal(ServiceRole.INGEST), true,
                new IngestConfig.ProducerTuning(d.lingerMs(), d.batchSize(), d.compression(), d.bufferMemory(),
                        d.deliveryTimeoutMs(), WAIT.toMillis()));
    }

    /** A generated payment of the customer with account {@code account}. */
    static ObjectNode payment(EventGenerator gen, String account) {
        ObjectNode e = gen.next();
        e.put("account_id", "NL00-" + account);
        return e;
    }

    static Outcome send(SecureProducer producer, ObjectNode event) {
        long t0 = System.nanoTime();
        IngestResult result = null;
        Throwable error = null;
        try {
            result = producer.send(event).join();
        } catch (CompletionException e) {
            error = e.getCause();
        }
        return new Outcome(event, result, error, Duration.ofNanos(System.nanoTime() - t0));
    }

    static Outcome accepted(Outcome o) {
        assertThat(o.error()).as("event of %s", o.event().get("account_id")).isNull();
        assertThat(o.result()).isInstanceOf(IngestResult.Accepted.class);
        return o;
    }

    static Outcome refused(Outcome o) {
        assertThat(o.result()).as("event of %s", o.event().get("account_id")).isNull();
        assertThat(o.error()).isInstanceOf(IngestException.class);
        assertThat(o.error().getMessage()).contains("the key service").contains("not sent").doesNotContain("\tat ")
                .doesNotContain("Exception");
        return o;
    }

    /**
     * The ingest command opens its producer (which checks the KEK with the KMS) and then reads its events: this
     * provider stops the KMS right after that check, so every event meets the outage.
     */
    static KekProvider stopsTheKmsOnceTheKekIsChecked(KekProvider kms) {
        return (KekProvider) Proxy.newProxyInstance(KekProvider.class.getClassLoader(), new Class<?>[] {KekProvider.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(kms, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("currentVersionName")) {
                        fx.stack.kms().stop();
                    }
                    return result;
                });
    }

    /**
     * The KMS provider, which restarts the KMS (completing the future in {@code restartOnMiss}) the first time a call
     * fails while one is set: the producer has missed the key service and its event waits.
     */
    static KekProvider restartsTheKmsWhenMissed(KekProvider kms,
                                                java.util.concurrent.atomic.AtomicReference<CompletableFuture<Void>> restartOnMiss) {
        return (KekProvider) Proxy.newProxyInstance(KekProvider.class.getClassLoader(), new Class<?>[] {KekProvider.class},
                (proxy, method, args) -> {
                    try {
                        return method.invoke(kms, args);
                    } catch (InvocationTargetException e) {
                        CompletableFuture<Void> restart = restartOnMiss.getAndSet(null);
                        if (restart != null) {
                            CompletableFuture.runAsync(() -> fx.stack.kms().restart()).whenComplete((ok, failed) -> {
                                if (failed != null) {
                                    restart.completeExceptionally(failed);
                                } else {
                                    restart.complete(null);
                                }
                            });
                        }
                        throw e.getCause();
                    }
                });
    }
}
