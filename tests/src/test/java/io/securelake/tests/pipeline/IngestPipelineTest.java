package io.securelake.tests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.contracts.status.LakeWriterFigures;
import io.securelake.contracts.status.ServiceState;
import io.securelake.contracts.status.ServiceStatus;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.RecordCipher;
import io.securelake.encryption.RecordSchema;
import io.securelake.encryption.core.DirectoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.envs.Dataset;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestException;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.lakewriter.LakeWriter;
import io.securelake.lakewriter.LakeWriterConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.AccessControlException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Producer to raw zone over the real core: events produced as the ingest principal land in HDFS exactly
 * once with classified fields encrypted; refused events are dead-lettered and audited; undecodable
 * records are quarantined; principals without rights are refused.
 */
class IngestPipelineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant START = Instant.parse("2026-11-25T09:30:00Z");

    @TempDir
    static Path base;
    static PipelineFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new PipelineFixture(base);
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    private static List<IngestResult> joinAll(List<CompletableFuture<IngestResult>> futures) {
        return futures.stream().map(CompletableFuture::join).toList();
    }

    @Test
    void eventsLandEncryptedExactlyOnceRejectsAreDeadLetteredAndAuditedUndecodableRecordsQuarantined() throws Exception {
        Dataset payments = fx.env.dataset("payments").orElseThrow();
        Dataset prefs = fx.env.dataset("customer_preferences").orElseThrow();
        String ingest = fx.principal(ServiceRole.INGEST);
        Path auditDir = base.resolve("audit/ingest");

        // --- produce: valid events of both datasets, and three bad ones
        Map<String, ObjectNode> sentPayments = new HashMap<>();
        Map<String, ObjectNode> sentPrefs = new HashMap<>();
        Set<String> piiValues = new HashSet<>();
        String unknownFieldSecret = "DE89370400440532013000";
        String badLineName = "Zebedee Quarantineson";
        String missingMerchant;
        List<IngestResult> rejected;
        try (JsonLinesAuditSink audit = new JsonLinesAuditSink(auditDir);
             SecureProducer producer = SecureProducer.open(fx.ingestConfig("payments", ingest, true), fx.env, audit);
             SecureProducer prefProducer = SecureProducer.open(fx.ingestConfig("customer_preferences", ingest, true), fx.env, audit)) {
            DatasetSchema schema = producer.schema();
            EventGenerator gen = EventGenerator.of("payments", 11, 200, START, Duration.ofHours(2));
            List<CompletableFuture<IngestResult>> futures = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                ObjectNode e = gen.next();
                sentPayments.put(e.get("event_id").asText(), e);
                for (String path : schema.classifications().keySet()) {
                    piiValues.add(e.get(path).asText());
                }
                futures.add(producer.send(e));
            }
            EventGenerator prefGen = EventGenerator.of("customer_preferences", 12, 100, START, Duration.ofHours(30));
            for (int i = 0; i < 500; i++) {
                ObjectNode e = prefGen.next();
                sentPrefs.put(e.get("event_id").asText(), e);
                for (String f : List.of("customer_id", "email", "phone")) {
                    if (!e.get(f).isNull()) {
                        piiValues.add(e.get(f).asText());
                    }
                }
                futures.add(prefProducer.send(e));
            }
            assertThat(joinAll(futures)).allMatch(r -> r instanceof IngestResult.Accepted);

            ObjectNode missing = gen.next();
            missing.remove("amount");
            missingMerchant = missing.at("/merchant/name").asText();
            piiValues.add(missing.get("customer_name").asText());
            ObjectNode unknown = gen.next();
            unknown.put("iban", unknownFieldSecret);
            piiValues.add(unknown.get("email").asText());
            rejected = joinAll(List.of(producer.send(missing), producer.send(unknown),
                    producer.sendJson("{\"customer_name\": \"" + badLineName + "\", oops")));
            assertThat(producer.stats().accepted()).isEqualTo(3_000);
            assertThat(producer.stats().deadLettered()).isEqualTo(3);
        }
        assertThat(rejected).allMatch(r -> r instanceof IngestResult.DeadLettered);
        assertThat(rejected.stream().map(r -> ((IngestResult.DeadLettered) r).reason()).toList()).containsExactly(
                "field 'amount': required field is missing",
                "field 'iban': unknown field (not in schema io.securelake.events.payments.Payment)",
                "not valid JSON (line 1, column 44)");
        piiValues.add(badLineName);
        piiValues.add(unknownFieldSecret);

        // --- the audit trail and the dead letters hold the reasons, never a clear classified value
        String auditText;
        try (var files = Files.list(auditDir)) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                all.append(Files.readString(f));
            }
            auditText = all.toString();
        }
        assertThat(io.securelake.audit.AuditVerifier.verify(auditDir).intact()).isTrue();
        assertThat(auditText.lines()).hasSize(3).allMatch(l -> l.contains("\"action\":\"ingest.reject\"")
                && l.contains("\"user\":\"" + fx.stack.qualify(ingest) + "\"") && l.contains("\"result\":\"DENIED\""));
        assertNoneContained(auditText.getBytes(StandardCharsets.UTF_8), piiValues, "audit log");
        // No person or service may consume dead letters under the baseline policies yet (admins do not read
        // data); read them as the broker's own identity, standing in for the future dead-letter reviewer.
        List<JsonNode> letters = readTopic("kafka/localhost", fx.env.names().deadLetterTopic(payments), 3);
        for (JsonNode l : letters) {
            assertThat(l.get("reason").asText()).isNotEmpty();
            assertNoneContained(l.toString().getBytes(StandardCharsets.UTF_8), piiValues, "dead letter");
        }
        // Unclassified fields stay readable in a dead letter (the reviewer sees what was wrong); the generator's value, not the letter's own.
        assertThat(missingMerchant).isNotEmpty();
        assertThat(letters.get(0).at("/payload/merchant/name").asText()).isEqualTo(missingMerchant);
        assertThat(letters.get(1).at("/payload/iban").asText()).matches("[A-Za-z0-9_-]{40,}");
        assertThat(letters.get(2).get("payload_ciphertext").asText()).matches("[A-Za-z0-9_-]{40,}");
        // The dead letter is recoverable by whoever holds the key: the encrypted payload decrypts to the original.
        try (HadoopKekProvider provider = HadoopKekProvider.open(fx.kekProvider, Map.of());
             FieldCipher cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), provider,
                     new DirectoryDekRepository(fx.deks))) {
            String restored = new String(cipher.decryptText(letters.get(2).get("payload_ciphertext").asText(),
                    new io.securelake.encryption.EncryptionContext("dev", "payments", SecureProducer.WHOLE_PAYLOAD_FIELD)),
                    StandardCharsets.UTF_8);
            assertThat(restored).contains(badLineName);
        }

        // --- a record that bypassed the library cannot be decoded: it must be quarantined, not stop the writer
        RecordMetadata garbage;
        Properties raw = fx.stack.clients().kafkaProperties(ingest);
        try (var p = new KafkaProducer<>(raw, new ByteArraySerializer(), new ByteArraySerializer())) {
            garbage = p.send(new ProducerRecord<>(fx.env.names().rawTopic(payments), "k".getBytes(),
                    "{\"card_number\":\"not an event\"}".getBytes(StandardCharsets.UTF_8))).get();
        }

        // --- the lake-writer lands everything
        Progress progress = new Progress();
        Path state = base.resolve("writer-state");
        LakeWriterConfig writerConfig = LakeWriterConfig.from(fx.writerProperties(state));
        LakeWriter writer = LakeWriter.create(writerConfig, fx.env,
                io.securelake.lakewriter.WriterClients.kerberized(writerConfig, fx.env), progress).start();
        try {
            progress.await("3,500 events committed and 1 quarantined", Duration.ofSeconds(90),
                    p -> p.committedRecords() >= 3_500 && p.committedQuarantined() >= 1);
        } finally {
            writer.close();
        }
        assertThat(progress.committedRecords()).isEqualTo(3_500);
        ServiceStatus<LakeWriterFigures> status = WriterStatusFile.in(state).read().orElseThrow();
        assertThat(status.environment()).isEqualTo("dev");
        assertThat(status.figures().eventsCommitted()).isEqualTo(3_500);
        assertThat(status.state()).isEqualTo(ServiceState.STOPPED);

        // --- read back as ETL (the raw zone's reader): exact counts, layout, encryption
        String etl = fx.principal(ServiceRole.ETL);
        List<PipelineFixture.RawFile> paymentFiles = fx.readRawZone(etl, fx.env.names().rawPath(payments));
        List<PipelineFixture.RawFile> prefFiles = fx.readRawZone(etl, fx.env.names().rawPath(prefs));
        assertThat(paymentFiles).allMatch(f -> f.path().matches("dt=2026-11-25/hr=(09|10|11)/part-\\d{5}-\\d{20}-\\d{20}\\.avro"));
        assertThat(paymentFiles.stream().map(f -> f.path().substring(0, 19)).distinct()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(prefFiles).allMatch(f -> f.path().matches("dt=2026-11-2[5-6]/part-\\d{5}-\\d{20}-\\d{20}\\.avro"));
        List<GenericRecord> landed = paymentFiles.stream().flatMap(f -> f.records().stream()).toList();
        assertThat(landed).hasSize(3_000);
        assertThat(landed.stream().map(r -> r.get("event_id").toString()).distinct().toList())
                .containsExactlyInAnyOrderElementsOf(sentPayments.keySet());
        assertThat(prefFiles.stream().mapToLong(f -> f.records().size()).sum()).isEqualTo(500);
        assertThat(prefFiles.stream().flatMap(f -> f.records().stream()).map(r -> r.get("event_id").toString()))
                .containsExactlyInAnyOrderElementsOf(sentPrefs.keySet());

        for (PipelineFixture.RawFile f : paymentFiles) {
            assertNoneContained(f.bytes(), piiValues, f.path());
        }
        for (PipelineFixture.RawFile f : prefFiles) {
            assertNoneContained(f.bytes(), piiValues, f.path());
        }
        // Unclassified fields are in clear, in the bytes and in the records.
        GenericRecord one = landed.get(0);
        ObjectNode original = sentPayments.get(one.get("event_id").toString());
        assertThat(((GenericRecord) one.get("merchant")).get("name").toString()).isEqualTo(original.at("/merchant/name").asText());
        assertThat(one.get("currency").toString()).isEqualTo(original.get("currency").asText());
        assertThat(one.get("event_time")).isEqualTo(original.get("event_time").asLong());
        String descriptor = original.get("description").asText();
        assertThat(paymentFiles.stream().anyMatch(f -> indexOf(f.bytes(), descriptor.getBytes(StandardCharsets.UTF_8)) >= 0)).isTrue();
        // Classified fields are ciphertext that decrypts to exactly what was sent.
        try (HadoopKekProvider provider = HadoopKekProvider.open(fx.kekProvider, Map.of());
             FieldCipher cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), provider,
                     new DirectoryDekRepository(fx.deks))) {
            RecordCipher records = FieldEncryption.recordCipher(cipher);
            RecordSchema rs = RecordSchema.of("dev", "payments", RecordSchema.fields(
                    "card_number", io.securelake.encryption.Classification.PII_DETERMINISTIC,
                    "account_id", io.securelake.encryption.Classification.PII_DETERMINISTIC,
                    "customer_name", io.securelake.encryption.Classification.PII_RANDOMIZED,
                    "email", io.securelake.encryption.Classification.PII_RANDOMIZED,
                    "phone", io.securelake.encryption.Classification.PII_RANDOMIZED)).withSubjectField("account_id");
            for (GenericRecord r : landed.subList(0, 50)) {
                ObjectNode enc = JSON.createObjectNode();
                for (String fName : List.of("card_number", "account_id", "customer_name", "email", "phone")) {
                    // Avro bytes holding the binary ciphertext (format version 1 first), not its text form.
                    assertThat(r.getSchema().getField(fName).schema().toString()).contains("\"bytes\"").doesNotContain("string");
                    java.nio.ByteBuffer value = ((java.nio.ByteBuffer) r.get(fName)).duplicate();
                    byte[] binary = new byte[value.remaining()];
                    value.get(binary);
                    assertThat(binary[0]).isEqualTo((byte) 0x01);
                    enc.put(fName, io.securelake.encryption.core.CiphertextFormat.toText(binary));
                }
                ObjectNode clear = records.decrypt(enc, rs);
                ObjectNode sent = sentPayments.get(r.get("event_id").toString());
                for (String fName : List.of("card_number", "account_id", "customer_name", "email", "phone")) {
                    assertThat(clear.get(fName).asText()).isEqualTo(sent.get(fName).asText());
                }
            }
        }

        // --- the quarantined record: named by topic-partition-offset, with its reason, readable by the writer only
        String lw = fx.principal(ServiceRole.LAKE_WRITER);
        String qName = String.format("%s-%d-%020d.json", garbage.topic(), garbage.partition(), garbage.offset());
        JsonNode q = HadoopSecurity.doAs(fx.hdfsUser(lw), () -> {
            try (FileSystem fs = FileSystem.newInstance(fx.stack.clients().hdfsConfiguration());
                 var in = fs.open(new org.apache.hadoop.fs.Path(fx.env.names().quarantinePath(payments), qName))) {
                return JSON.readTree(in);
            }
        });
        assertThat(q.get("reason").asText()).contains("not the event magic");
        assertThat(q.get("offset").asLong()).isEqualTo(garbage.offset());
        assertThat(q.get("topic").asText()).isEqualTo(garbage.topic());
        assertThatThrownBy(() -> HadoopSecurity.doAs(fx.hdfsUser(etl), () -> {
            try (FileSystem fs = FileSystem.newInstance(fx.stack.clients().hdfsConfiguration())) {
                return fs.listStatus(new org.apache.hadoop.fs.Path(fx.env.names().quarantinePath(payments)));
            }
        })).isInstanceOf(AccessControlException.class).hasMessageContaining("user=" + etl);
        // Only committed, complete files are visible: nothing is left in temporary names.
        FileStatus[] leftovers = HadoopSecurity.doAs(fx.hdfsUser(lw), () -> {
            try (FileSystem fs = FileSystem.newInstance(fx.stack.clients().hdfsConfiguration())) {
                org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(fx.env.names().rawPath(payments) + "/_tmp");
                List<FileStatus> files = new ArrayList<>();
                if (fs.exists(tmp)) {
                    var it = fs.listFiles(tmp, true);
                    while (it.hasNext()) {
                        files.add(it.next());
                    }
                }
                return files.toArray(new FileStatus[0]);
            }
        });
        assertThat(leftovers).isEmpty();
    }

    @Test
    void principalsWithoutRightsCannotProduceNorReadTheRawZone() throws Exception {
        // The lake-writer may only read raw topics; alice (an analyst) has no Kafka grant at all.
        for (String who : List.of(fx.principal(ServiceRole.LAKE_WRITER), "alice")) {
            var config = fx.ingestConfig("payments", who, true)
                    .withTuning(new io.securelake.ingest.producer.IngestConfig.ProducerTuning(0, 16_384, "none",
                            8L << 20, 20_000, 20_000L));
            try (SecureProducer p = SecureProducer.open(config, fx.env, null)) {
                ObjectNode e = EventGenerator.of("payments", 3).next();
                assertThatThrownBy(() -> p.send(e).join()).isInstanceOf(CompletionException.class)
                        .cause().isInstanceOf(IngestException.class).hasMessageContaining("is not authorised to write topic dev.raw.payments");
                assertThat(p.stats().failed()).isEqualTo(1);
            }
        }
        // Neither the ingest service nor an analyst may read the raw zone.
        Dataset payments = fx.env.dataset("payments").orElseThrow();
        for (String who : List.of(fx.principal(ServiceRole.INGEST), "alice")) {
            assertThatThrownBy(() -> fx.readRawZone(who, fx.env.names().rawPath(payments)))
                    .isInstanceOf(AccessControlException.class).hasMessageContaining("user=" + who);
        }
    }

    private static List<JsonNode> readTopic(String principal, String topic, int expected) throws Exception {
        Properties p = fx.stack.clients().kafkaProperties(principal);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<JsonNode> out = new ArrayList<>();
        try (var c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(500))) {
                    out.add(JSON.readTree(r.value()));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(n -> n.get("rejected_at").asText()));
        assertThat(out).hasSize(expected);
        return out;
    }

    static void assertNoneContained(byte[] haystack, Set<String> needles, String where) {
        for (String n : needles) {
            if (n.length() >= 4 && indexOf(haystack, n.getBytes(StandardCharsets.UTF_8)) >= 0) {
                throw new AssertionError("clear classified value found in " + where);
            }
        }
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            if (haystack[i] != needle[0]) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
