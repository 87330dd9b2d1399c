package io.securelake.tests.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.Classification;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.RecordCipher;
import io.securelake.encryption.RecordSchema;
import io.securelake.envs.ServiceRole;
import io.securelake.ingest.generate.EventGenerator;
import io.securelake.ingest.producer.IngestConfig;
import io.securelake.ingest.producer.IngestResult;
import io.securelake.ingest.producer.KerberosCredentials;
import io.securelake.ingest.producer.SecureProducer;
import io.securelake.ingest.schema.EventEncoding;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.operations.keys.KmsKekProvider;
import io.securelake.operations.keys.LocalKeyStores;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The producer over the environment's Kafka key registry, as {@code securelake ingest} runs it: new customers' events
 * do not wait for their keys one at a time, yet each lands only after its customer's key is in the registry, in the
 * order its customer's events were sent, readable by another process through the registry alone; a second producer
 * finds every key and makes none.
 */
@ExtendWith(LiveDevStack.Extension.class)
class NewCustomersOverKafkaTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void newCustomersEventsLandInTheirOrderUnderKeysTheRegistryHoldsOncePerCustomer(LiveDevStack dev) throws Exception {
        String ingest = dev.env.names().servicePrincipal(ServiceRole.INGEST);
        String etl = dev.env.names().servicePrincipal(ServiceRole.ETL);
        String kek = dev.env.names().keyEncryptionKey(dev.env.dataset("payments").orElseThrow());
        int customers = 150;
        List<ObjectNode> sent = new ArrayList<>();
        EventGenerator generator = EventGenerator.of("payments", 7_707, customers, Instant.parse("2026-12-01T08:00:00Z"),
                Duration.ofHours(1));
        for (int i = 0; i < 900; i++) {
            sent.add(generator.next());
        }

        int subjectKeysBefore;
        List<IngestResult> results = new ArrayList<>();
        try (KmsKekProvider kms = LocalKeyStores.kekProvider(dev.endpoints(), dev.login(ingest));
             DekRepository registry = dev.registry(ingest)) {
            subjectKeysBefore = subjectKeys(registry, kek);
            try (SecureProducer producer = SecureProducer.open(config(dev, ingest), dev.env, null, kms, registry)) {
                List<CompletableFuture<IngestResult>> futures = new ArrayList<>();
                for (ObjectNode event : sent) {
                    futures.add(producer.send(event));
                }
                futures.forEach(f -> results.add(f.join()));
            }
            assertThat(results).allMatch(r -> r instanceof IngestResult.Accepted);
            int made = subjectKeys(registry, kek) - subjectKeysBefore;
            long distinct = sent.stream().map(e -> e.get("account_id").asText()).distinct().count();
            assertThat(made).as("one key per new customer, none twice").isEqualTo((int) distinct);

            // Another producer (another process) sends the same customers again: every key is found, none is made.
            try (DekRepository otherProcessRegistry = dev.registry(ingest);
                 SecureProducer again = SecureProducer.open(config(dev, ingest), dev.env, null, kms, otherProcessRegistry)) {
                List<CompletableFuture<IngestResult>> futures = new ArrayList<>();
                java.util.Set<String> known = new java.util.HashSet<>();
                sent.forEach(e -> known.add(e.get("account_id").asText()));
                while (futures.size() < 300) {
                    ObjectNode event = generator.next();
                    if (known.contains(event.get("account_id").asText())) {
                        futures.add(again.send(event));
                    }
                }
                futures.forEach(CompletableFuture::join);
            }
            assertThat(subjectKeys(registry, kek) - subjectKeysBefore).isEqualTo(made);
        }

        // Read back as the lake writer reads the raw topic: per customer (one Kafka key), the order they were sent in.
        Map<String, ObjectNode> byEventId = new HashMap<>();
        sent.forEach(e -> byEventId.put(e.get("event_id").asText(), e));
        Map<String, List<String>> landed = new HashMap<>();
        Map<String, byte[]> names = new HashMap<>();
        var wire = SchemaCatalog.load(SchemaCatalog.besideEnvironments(LiveDevStack.ENVS_DIR)).dataset("payments").latest().wire();
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(wire);
        String writer = dev.env.names().servicePrincipal(ServiceRole.LAKE_WRITER);
        String topic = dev.env.names().rawTopic(dev.env.dataset("payments").orElseThrow());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(dev.clients.kafkaProperties(writer),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    byte[] value = record.value();
                    GenericRecord event = reader.read(null, DecoderFactory.get().binaryDecoder(value,
                            EventEncoding.HEADER_LENGTH, value.length - EventEncoding.HEADER_LENGTH, null));
                    String id = event.get("event_id").toString();
                    if (byEventId.containsKey(id)) {
                        landed.computeIfAbsent(new String(record.key(), UTF_8), k -> new ArrayList<>()).add(id);
                        ByteBuffer name = (ByteBuffer) event.get("customer_name");
                        names.put(id, Arrays.copyOfRange(name.array(), name.arrayOffset() + name.position(),
                                name.arrayOffset() + name.limit()));
                    }
                }
            }
        }
        assertThat(names).as("every event landed once").hasSize(sent.size());
        Map<String, List<String>> sentPerCustomer = new HashMap<>();
        Map<String, String> customerOf = new HashMap<>();
        sent.forEach(e -> customerOf.put(e.get("event_id").asText(), e.get("account_id").asText()));
        for (List<String> ids : landed.values()) {
            String customer = customerOf.get(ids.get(0));
            assertThat(ids).as("one Kafka key, one customer").allMatch(id -> customerOf.get(id).equals(customer));
            sentPerCustomer.put(customer, sent.stream().map(e -> e.get("event_id").asText())
                    .filter(id -> customerOf.get(id).equals(customer)).toList());
            assertThat(ids).as("customer %s's events in the order sent", customer).isEqualTo(sentPerCustomer.get(customer));
        }
        assertThat(sentPerCustomer.values()).as("the test saw customers with several events").anyMatch(ids -> ids.size() >= 4);

        // Another process reads every customer's name through the registry alone.
        RecordSchema nameOnly = RecordSchema.of("dev", "payments", Map.of("customer_name", Classification.PII_RANDOMIZED));
        try (KmsKekProvider kms = LocalKeyStores.kekProvider(dev.endpoints(), dev.login(etl));
             DekRepository registry = dev.registry(etl);
             FieldCipher etlCipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), kms, registry)) {
            RecordCipher records = FieldEncryption.recordCipher(etlCipher);
            for (Map.Entry<String, byte[]> e : names.entrySet()) {
                ObjectNode landedName = JSON.createObjectNode().put("customer_name", FieldEncryption.ciphertextText(e.getValue()));
                assertThat(records.decrypt(landedName, nameOnly).get("customer_name"))
                        .isEqualTo(byEventId.get(e.getKey()).get("customer_name"));
            }
        }
    }

    private static int subjectKeys(DekRepository registry, String kek) {
        return (int) registry.list(kek).stream().filter(d -> d.scope() == DekScope.SUBJECT && !d.destroyed()).count();
    }


    private static IngestConfig config(LiveDevStack dev, String ingest) {
        var e = dev.endpoints();
        return new IngestConfig(dev.env.name(), "payments", e.kafkaBootstrap(), Path.of(e.caPem()),
                Optional.of(Path.of(e.krb5Conf())), new KerberosCredentials.Keytab(dev.clients.qualify(ingest),
                dev.clients.keytab(ingest)), true, Optional.empty(), Optional.empty(),
                SchemaCatalog.besideEnvironments(LiveDevStack.ENVS_DIR), IngestConfig.ProducerTuning.defaults());
    }
}
