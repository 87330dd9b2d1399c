package io.securelake.ingest.producer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.audit.AuditRecord;
import io.securelake.audit.AuditSink;
import io.securelake.encryption.Classification;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.FieldEncryptionException;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.RecordCipher;
import io.securelake.encryption.RecordSchema;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.encryption.keys.WaitingKekProvider;
import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.KafkaClientSettings;
import io.securelake.ingest.schema.DatasetSchema;
import io.securelake.ingest.schema.EventValidationException;
import io.securelake.ingest.schema.SchemaCatalog;
import io.securelake.kerberos.KerberosJvm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.apache.avro.Schema;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer applications use to publish one dataset's events: authenticated with Kerberos, each event
 * validated against the dataset's latest schema, classified fields encrypted in this process, sent with a
 * stable key to {@code <env>.raw.<dataset>} by an idempotent producer (acks=all). An event that fails
 * validation goes to {@code <env>.dlq.<dataset>} with the reason and its payload (classified and unknown
 * fields encrypted), and an audit record is written. Every call returns a future that says which of the
 * two happened, or fails with an {@link IngestException} if neither could: nothing is dropped silently.
 *
 * <p>A new data key (a new customer's first event) needs the key service. While it is unreachable, {@code send}
 * waits for it as Kafka's {@code send} waits for a broker: up to {@code max.block.ms}
 * ({@link IngestConfig.ProducerTuning#maxBlockMs()}), timed from the start of the outage, so a restarting KMS
 * costs a pause, not events. Past that the event is not sent and its future fails, naming the key service; events
 * whose keys are cached meanwhile are sent as usual.
 *
 * <p>Thread-safe. {@link #close()} flushes pending sends.
 */
public final class SecureProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SecureProducer.class);
    private static final ObjectMapper JSON = EventEncoder.JSON;
    /**
     * How many events of customers whose keys are on their way to the key registry may wait at once (each holds a
     * copy of its event, about a kilobyte); past that, {@code send} waits as for Kafka's buffer.
     */
    static final int MAX_EVENTS_WAITING_FOR_KEYS = 4_096;
    /** Field path under which an unparseable payload is encrypted as a whole in a dead letter. */
    public static final String WHOLE_PAYLOAD_FIELD = "_payload";

    private final IngestConfig config;
    private final Environment env;
    private final DatasetSchema schema;
    private final String rawTopic;
    private final String deadLetterTopic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KekProvider kekProvider;
    private final FieldCipher fieldCipher;
    private final RecordCipher recordCipher;
    private final EventEncoder encoder;
    /** Null without encryption: then no event waits for a key. */
    private final NewSubjectQueue newSubjects;
    private final AuditSink audit;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    private SecureProducer(IngestConfig config, Environment env, DatasetSchema schema, String rawTopic,
                           String deadLetterTopic, KafkaProducer<byte[], byte[]> producer, KekProvider kekProvider,
                           FieldCipher fieldCipher, AuditSink audit) {
        this.config = config;
        this.env = env;
        this.schema = schema;
        this.rawTopic = rawTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.producer = producer;
        this.kekProvider = kekProvider;
        this.fieldCipher = fieldCipher;
        this.recordCipher = fieldCipher == null ? null : FieldEncryption.recordCipher(fieldCipher);
        this.encoder = new EventEncoder(schema, env.name(), recordCipher);
        this.newSubjects = fieldCipher == null ? null : new NewSubjectQueue(MAX_EVENTS_WAITING_FOR_KEYS,
                config.tuning().maxBlockMs(), "securelake-ingest-new-subjects-" + env.name() + "-" + schema.dataset());
        this.audit = audit;
    }

    /**
     * Logs in, loads the dataset's schema and (when enabled) the encryption keys, and connects.
     *
     * @param env   the environment definition (names are derived from it)
     * @param audit where rejection records go (borrowed: not closed by {@link #close()})
     */
    public static SecureProducer open(IngestConfig config, Environment env, AuditSink audit) {
        return open(config, env, audit, null, null);
    }

    /**
     * As {@link #open(IngestConfig, Environment, AuditSink)}, with a KEK provider and DEK repository supplied by
     * the caller (e.g. a KMS provider that runs each call as the service's Kerberos identity). Both are borrowed:
     * not closed by {@link #close()}. Null for either means: build it from the configuration.
     */
    public static SecureProducer open(IngestConfig config, Environment env, AuditSink audit, KekProvider kekProvider,
                                      DekRepository dekRepository) {
        if (!env.name().equals(config.environment())) {
            throw new IllegalArgumentException("configuration is for environment '" + config.environment()
                    + "' but the definition loaded is '" + env.name() + "'");
        }
        Dataset dataset = env.dataset(config.dataset()).orElseThrow(() -> new IllegalArgumentException(
                "environment " + env.name() + " has no dataset '" + config.dataset() + "' (defined: "
                        + env.datasets().stream().map(Dataset::name).toList() + ")"));
        DatasetSchema schema = SchemaCatalog.load(config.schemasDir()).dataset(dataset.name()).latest();
        // Which krb5.conf the JVM uses is the process's decision (its main or CLI entry point), not the producer's.
        config.krb5Conf().ifPresent(k -> KerberosJvm.requireKrb5Conf(k, "the " + env.name() + "." + dataset.name()
                + " producer (" + IngestConfig.KRB5_CONF + ")"));
        KekProvider ownedProvider = null;
        FieldCipher cipher = null;
        KafkaProducer<byte[], byte[]> producer = null;
        try {
            if (config.encryptionEnabled()) {
                KekProvider provider = kekProvider;
                if (provider == null) {
                    provider = ownedProvider = HadoopKekProvider.open(config.kekProviderUri().orElseThrow(() -> new IllegalArgumentException(
                            IngestConfig.KEK_PROVIDER_URI + " is required: encryption is enabled and no KEK provider was supplied")), Map.of());
                }
                String kek = env.names().keyEncryptionKey(dataset);
                // Fail at open, not at the first event, when the KEK is missing or not ours to use.
                provider.currentVersionName(kek);
                DekRepository repository = dekRepository != null ? dekRepository
                        : FieldEncryption.directoryRepository(config.dekRepositoryDir().orElseThrow(() -> new IllegalArgumentException(
                        IngestConfig.DEK_REPOSITORY_DIR + " is required: encryption is enabled and no DEK repository was supplied")));
                cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults(env.name()),
                        new WaitingKekProvider(provider, Duration.ofMillis(config.tuning().maxBlockMs())), repository);
            } else {
                LOG.warn("encryption is DISABLED for {}.{}: classified fields travel in clear (benchmark mode)",
                        env.name(), dataset.name());
            }
            producer = new KafkaProducer<>(producerProperties(config, env), new ByteArraySerializer(),
                    new ByteArraySerializer());
            return new SecureProducer(config, env, schema, env.names().rawTopic(dataset),
                    env.names().deadLetterTopic(dataset), producer, ownedProvider, cipher, audit);
        } catch (RuntimeException e) {
            if (producer != null) {
                producer.close();
            }
            if (cipher != null) {
                cipher.close();
            }
            if (ownedProvider != null) {
                ownedProvider.close();
            }
            throw e;
        }
    }

    static Properties producerProperties(IngestConfig config, Environment env) {
        Properties p = new Properties();
        p.putAll(KafkaClientSettings.kerberized(config.bootstrapServers(), config.caPem(), env.kerberos()));
        p.put(SaslConfigs.SASL_JAAS_CONFIG, config.credentials().jaasConfig());
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "securelake-ingest-" + env.name() + "-" + config.dataset());
        // Exactly-once into the log per producer session: no duplicates from retries, order kept.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        IngestConfig.ProducerTuning t = config.tuning();
        p.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(t.lingerMs()));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(t.batchSize()));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, t.compression());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(t.bufferMemory()));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(t.deliveryTimeoutMs()));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.min(30_000, t.deliveryTimeoutMs())));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(t.maxBlockMs()));
        return p;
    }

    public DatasetSchema schema() {
        return schema;
    }

    public String rawTopic() {
        return rawTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Parses one JSON line and sends it; a line that is not a JSON object is dead-lettered. */
    public CompletableFuture<IngestResult> sendJson(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the input; report only where it broke.
            var loc = e.getLocation();
            String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
            return deadLetterRaw(line, "not valid JSON" + where);
        }
        if (node == null || !node.isObject()) {
            return deadLetterRaw(line, "not a JSON object (found " + (node == null ? "nothing" : node.getNodeType()) + ")");
        }
        return send((ObjectNode) node);
    }

    /**
     * A JSON line parsed as {@link #sendJson} parses it, or null when it is not a JSON object (then
     * {@code sendJson(line)} dead-letters it with the reason). For callers that route events before sending.
     */
    public static ObjectNode parseEvent(String line) {
        try {
            return JSON.readTree(line) instanceof ObjectNode o ? o : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Validates, encrypts and sends one event. The caller's node is not modified, and may be reused once this returns.
     * The first event of a customer this process has no key for does not hold up the caller: its key is made and
     * registered meanwhile, and the event (with any later one of the same customer, in order) is sent once the key is
     * durable in the key registry.
     */
    public CompletableFuture<IngestResult> send(ObjectNode event) {
        String subject = newSubjects == null ? null : encoder.subjectOf(event);
        if (subject == null) {
            return encodeAndSend(event);
        }
        try {
            return newSubjects.send(subject, () -> encoder.prepareSubjectKey(event), () -> encodeAndSend(event), () -> {
                ObjectNode kept = event.deepCopy();
                return keyError -> keyError == null ? encodeAndSend(kept) : keyNotReady(kept, keyError);
            });
        } catch (IngestException e) {
            failed.increment();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** An event whose customer's key could not be readied; an invalid one is dead-lettered for its own reason. */
    private CompletableFuture<IngestResult> keyNotReady(ObjectNode event, Throwable keyError) {
        try {
            encoder.validate(event);
        } catch (EventValidationException e) {
            return deadLetter(event, e.getMessage(), e.field());
        }
        if (keyError instanceof FieldEncryptionException e) {
            return notSent("cannot encrypt the classified fields of a " + schema.dataset() + " event", e);
        }
        failed.increment();
        return CompletableFuture.failedFuture(new IngestException("a " + schema.dataset() + " event was not sent: "
                + keyError, keyError));
    }

    private CompletableFuture<IngestResult> encodeAndSend(ObjectNode event) {
        EventEncoder.Encoded encoded;
        try {
            encoded = encoder.encode(event);
        } catch (EventValidationException e) {
            return deadLetter(event, e.getMessage(), e.field());
        } catch (FieldEncryptionException e) {
            return notSent("cannot encrypt the classified fields of a " + schema.dataset() + " event", e);
        }
        byte[] value = encoded.value();
        Settlement result = new Settlement();
        try {
            producer.send(new ProducerRecord<>(rawTopic, encoded.key(), value), (metadata, error) -> {
                if (error != null) {
                    fail(result, translate(error, rawTopic));
                } else if (result.settled.compareAndSet(false, true)) {
                    accepted.increment();
                    bytes.add(value.length);
                    result.complete(new IngestResult.Accepted(metadata.topic(), metadata.partition(), metadata.offset()));
                }
            });
        } catch (KafkaException e) {
            fail(result, translate(e, rawTopic));
        }
        return result;
    }

    // ------------------------------------------------------------------ dead letters

    private CompletableFuture<IngestResult> deadLetter(ObjectNode event, String reason, String field) {
        ObjectNode letter = letter(reason, field);
        try {
            if (fieldCipher == null) {
                letter.set("payload", event.deepCopy());
            } else {
                try {
                    letter.set("payload", protect(event));
                } catch (FieldEncryptionException e) {
                    // The payload could not be protected field by field (e.g. an unusable subject id): protect it whole.
                    letter.put("payload_ciphertext", encryptWhole(event.toString()));
                }
            }
        } catch (FieldEncryptionException e) {
            return unprotectedLetter(reason, field, e);
        }
        return sendLetter(letter, reason, field);
    }

    private CompletableFuture<IngestResult> deadLetterRaw(String raw, String reason) {
        ObjectNode letter = letter(reason, "");
        try {
            if (fieldCipher == null) {
                letter.put("payload_text", raw);
            } else {
                letter.put("payload_ciphertext", encryptWhole(raw));
            }
        } catch (FieldEncryptionException e) {
            return unprotectedLetter(reason, "", e);
        }
        return sendLetter(letter, reason, "");
    }

    /** A refused event whose dead letter cannot be encrypted (e.g. the key service is down) goes nowhere: it failed. */
    private CompletableFuture<IngestResult> unprotectedLetter(String reason, String field, FieldEncryptionException e) {
        auditReject(reason, field, "failed", Map.of("dead_letter_error", e.getClass().getSimpleName()));
        return notSent("a refused " + schema.dataset() + " event (" + reason + ") cannot be encrypted for "
                + deadLetterTopic, e);
    }

    /** An event that went nowhere: counted as failed, and the caller told why (the cause's message, not its trace). */
    private CompletableFuture<IngestResult> notSent(String what, FieldEncryptionException e) {
        failed.increment();
        return CompletableFuture.failedFuture(new IngestException(what + ", so it was not sent: " + e.getMessage(), e));
    }

    private String encryptWhole(String raw) {
        return fieldCipher.encryptToText(raw.getBytes(StandardCharsets.UTF_8),
                new EncryptionContext(env.name(), schema.dataset(), WHOLE_PAYLOAD_FIELD), EncryptionMode.RANDOMIZED, null);
    }

    private ObjectNode letter(String reason, String field) {
        ObjectNode letter = JSON.createObjectNode();
        letter.put("dead_letter_version", 1);
        letter.put("environment", env.name());
        letter.put("dataset", schema.dataset());
        letter.put("topic", rawTopic);
        letter.put("schema_version", schema.version());
        letter.put("reason", reason);
        letter.put("field", field);
        letter.put("rejected_at", Instant.now().toString());
        letter.put("producer", config.credentials().principal());
        letter.put("encrypted", fieldCipher != null);
        return letter;
    }

    /**
     * A copy of a refused event in which every classified field and every field the schema does not know
     * (it might hold anything) is encrypted; declared clear fields stay readable for diagnosis.
     */
    private ObjectNode protect(ObjectNode event) {
        ObjectNode copy = event.deepCopy();
        Map<String, Classification> classes = new LinkedHashMap<>(schema.classifications());
        List<String> unknown = new ArrayList<>();
        unknownPaths(copy, schema.avro(), "", unknown);
        for (String path : unknown) {
            classes.put(path, Classification.PII_RANDOMIZED);
        }
        RecordSchema letterSchema = RecordSchema.of(env.name(), schema.dataset(), classes);
        if (schema.subjectField().isPresent()) {
            JsonNode subject = at(copy, schema.subjectField().get());
            if (subject != null && subject.isTextual() && !subject.textValue().isEmpty()) {
                letterSchema = letterSchema.withSubjectField(schema.subjectField().get());
            }
        }
        recordCipher.encryptInPlace(copy, letterSchema);
        return copy;
    }

    private static void unknownPaths(JsonNode node, Schema schema, String prefix, List<String> out) {
        if (!node.isObject() || schema.getType() != Schema.Type.RECORD) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            Schema.Field declared = schema.getField(f.getKey());
            String path = prefix + f.getKey();
            if (declared == null) {
                out.add(path);
            } else if (declared.schema().getType() == Schema.Type.RECORD) {
                unknownPaths(f.getValue(), declared.schema(), path + ".", out);
            }
        }
    }

    private CompletableFuture<IngestResult> sendLetter(ObjectNode letter, String reason, String field) {
        byte[] value = letter.toString().getBytes(StandardCharsets.UTF_8);
        Settlement result = new Settlement();
        try {
            producer.send(new ProducerRecord<>(deadLetterTopic, null, value), (metadata, error) -> {
                if (error != null) {
                    fail(result, translate(error, deadLetterTopic), () -> auditReject(reason, field, "failed",
                            Map.of("dead_letter_error", error.getClass().getSimpleName())));
                } else if (result.settled.compareAndSet(false, true)) {
                    deadLettered.increment();
                    auditReject(reason, field, "denied", Map.of("dead_letter_topic", metadata.topic(),
                            "dead_letter_partition", Integer.toString(metadata.partition()),
                            "dead_letter_offset", Long.toString(metadata.offset())));
                    result.complete(new IngestResult.DeadLettered(reason, field, metadata.topic(), metadata.partition(),
                            metadata.offset()));
                }
            });
        } catch (KafkaException e) {
            fail(result, translate(e, deadLetterTopic), () -> auditReject(reason, field, "failed",
                    Map.of("dead_letter_error", e.getClass().getSimpleName())));
        }
        return result;
    }

    /**
     * Fails one event's future and counts it, once: Kafka may report one failed send both to the callback
     * and by throwing from {@code send} (an idempotent producer in a fatal state does both).
     */
    private void fail(Settlement result, IngestException error) {
        fail(result, error, () -> { });
    }

    private void fail(Settlement result, IngestException error, Runnable beforeCompletion) {
        if (result.settled.compareAndSet(false, true)) {
            // Counted (and audited) before the caller can observe the failure.
            failed.increment();
            beforeCompletion.run();
            result.completeExceptionally(error);
        }
    }

    /** One event's outcome, settled once. */
    private static final class Settlement extends CompletableFuture<IngestResult> {
        final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
    }

    private void auditReject(String reason, String field, String outcome, Map<String, String> extra) {
        if (audit == null) {
            return;
        }
        Map<String, String> details = new LinkedHashMap<>(extra);
        details.put("dataset", schema.dataset());
        details.put("schema_version", Integer.toString(schema.version()));
        details.put("field", field);
        // One trail for every stage: a rejected event is a refusal of the ingest stage (details hold
        // coordinates only, never a field's value).
        String detail = details.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
        String why = ("failed".equals(outcome) ? "failed: " : "") + reason + " (" + detail + ")";
        try {
            audit.write(new AuditRecord(Instant.now(), env.name(), "ingest", "ingest", config.credentials().principal(),
                    List.of(), null, "topic=" + rawTopic, "ingest.reject", AuditRecord.Result.DENIED, null, why, null));
        } catch (RuntimeException e) {
            LOG.error("cannot write audit record for a rejected {} event: {}", schema.dataset(), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode at(JsonNode node, String path) {
        JsonNode current = node;
        int start = 0;
        while (current != null) {
            int dot = path.indexOf('.', start);
            String part = dot < 0 ? path.substring(start) : path.substring(start, dot);
            current = current.get(part);
            if (dot < 0) {
                return current;
            }
            start = dot + 1;
        }
        return null;
    }

    private IngestException translate(Throwable error, String topic) {
        String principal = config.credentials().principal();
        // Kafka often reports the refusal as the cause of a generic "error state" exception.
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof TopicAuthorizationException || t instanceof ClusterAuthorizationException
                    || t instanceof SaslAuthenticationException) {
                error = t;
                break;
            }
        }
        if (error instanceof TopicAuthorizationException) {
            return new IngestException(principal + " is not authorised to write topic " + topic
                    + " (Kafka refused: " + error.getMessage() + ")", error);
        }
        if (error instanceof ClusterAuthorizationException) {
            // An idempotent producer must be allowed to write somewhere before it gets a producer id.
            return new IngestException(principal + " is not authorised to write topic " + topic
                    + " (Kafka refused the idempotent producer id: the principal may write no topic)", error);
        }
        if (error instanceof SaslAuthenticationException) {
            return new IngestException("Kerberos authentication of " + principal + " to Kafka failed: "
                    + error.getMessage(), error);
        }
        return new IngestException("sending to " + topic + " as " + principal + " failed: " + error, error);
    }

    public ProducerStats stats() {
        return new ProducerStats(accepted.sum(), deadLettered.sum(), failed.sum(), bytes.sum());
    }

    /** Blocks until every event sent so far is acknowledged or failed. */
    public void flush() {
        if (newSubjects != null) {
            newSubjects.drain();
        }
        producer.flush();
    }

    @Override
    public void close() {
        try {
            if (newSubjects != null) {
                newSubjects.close();
            }
        } finally {
            closeProducerAndKeys();
        }
    }

    private void closeProducerAndKeys() {
        try {
            producer.close();
        } finally {
            if (fieldCipher != null) {
                fieldCipher.close();
            }
            if (kekProvider != null) {
                kekProvider.close();
            }
        }
    }
}
