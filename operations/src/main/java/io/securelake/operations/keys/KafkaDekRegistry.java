package io.securelake.operations.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.DekChangeListener;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.KeyAccessDeniedException;
import io.securelake.encryption.KeyServiceUnavailableException;
import io.securelake.encryption.StoredDek;
import io.securelake.operations.keys.RegistryReplay.Name;
import io.securelake.operations.keys.RegistryReplay.Ref;
import io.securelake.operations.keys.RegistryReplay.TopicKey;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DekRepository} every machine of an environment shares: two compacted Kafka topics, read in full by each
 * process, which keeps their state in memory (a few hundred bytes per key) and learns every change as it is written.
 *
 * <ul>
 *   <li>{@code <env>.keys.deks}: new keys (revision 1) and claims of shared names. Writers (the ingest service) add;
 *       readers read. A claim is an append too; the first claim of a name in the log wins.</li>
 *   <li>{@code <env>.keys.changes}: re-wraps and shreds, each a proposal for the next revision of one key. Only
 *       admins may write it (Ranger), so a writer can add keys but never change or destroy one. Replayed in log order,
 *       a proposal is accepted only if it follows the latest accepted revision of a key not destroyed: that is the
 *       compare-and-set, decided identically by every reader. A tombstone is final, also when replayed without the
 *       key it destroys.</li>
 * </ul>
 *
 * Every record has a key of its own (a proposal carries a random nonce), so compaction removes nothing but what is
 * erased on purpose: when a shred is accepted, its proposer writes null records over the key's earlier records
 * (its wrapped or sealed material), which compaction then deletes. A proposal that lost is erased the same way.
 */
public final class KafkaDekRegistry implements DekRepository {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDekRegistry.class);

    private final String keysTopic;
    private final String changesTopic;
    private final Duration timeout;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> replayConsumer;
    private final KafkaConsumer<byte[], byte[]> offsetsConsumer;
    private final List<TopicPartition> partitions;
    private final RegistryStore store;
    private final RegistryReplay state;
    private final CopyOnWriteArrayList<DekChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService completions;
    private final ReplayProgress progress;
    private final SecureRandom random = new SecureRandom();
    private final Thread replayThread;
    private volatile boolean running = true;
    private volatile boolean resumed;
    private final LongAdder recordsReplayed = new LongAdder();

    private KafkaDekRegistry(Properties client, String keysTopic, String changesTopic, Duration timeout,
                             RegistryStore store) {
        this.store = store;
        this.state = new RegistryReplay(store, keysTopic, changesTopic);
        this.keysTopic = keysTopic;
        this.changesTopic = changesTopic;
        this.timeout = timeout;
        this.completions = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "key-registry-claims");
            t.setDaemon(true);
            return t;
        });
        this.progress = new ReplayProgress(timeout, completions);
        Properties producerProperties = new Properties();
        producerProperties.putAll(client);
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        producerProperties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
        long request = Math.min(timeout.toMillis(), 15_000);
        producerProperties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(request));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        producerProperties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(timeout.toMillis(), request + 1_000)));
        producerProperties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "securelake-key-registry");
        Properties consumerProperties = new Properties();
        consumerProperties.putAll(client);
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProperties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProperties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        consumerProperties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaProducer<byte[], byte[]> p = null;
        KafkaConsumer<byte[], byte[]> r = null;
        KafkaConsumer<byte[], byte[]> o = null;
        try {
            p = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
            r = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            o = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : List.of(keysTopic, changesTopic)) {
                var infos = o.partitionsFor(topic, timeout);
                if (infos == null || infos.isEmpty()) {
                    throw new KeyServiceUnavailableException("the key registry topic " + topic + " does not exist", null);
                }
                infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
            }
            r.assign(all);
            resume(r, o, all, client);
        } catch (AuthorizationException e) {
            closeQuietly(p, r, o);
            store.close();
            completions.shutdown();
            throw new KeyAccessDeniedException(keysTopic, "the key registry refused this identity: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(p, r, o);
            store.close();
            completions.shutdown();
            throw e;
        }
        this.producer = p;
        this.replayConsumer = r;
        this.offsetsConsumer = o;
        this.partitions = progress.partitions();
        this.replayThread = new Thread(this::replay, "key-registry-replay");
        this.replayThread.setDaemon(true);
        this.replayThread.start();
    }

    /**
     * Opens the registry with its state in this process' memory, replays it from its beginning and returns once it
     * reached the end. Fine for small registries and short-lived tools; see the other {@code open}.
     *
     * @param client       Kafka client settings (bootstrap, security, login) of the identity that acts
     * @param keysTopic    {@code EnvironmentNames.keyRegistryTopic()}
     * @param changesTopic {@code EnvironmentNames.keyChangesTopic()}
     * @param timeout      how long a write or a catch-up may wait for Kafka before failing
     */
    public static KafkaDekRegistry open(Properties client, String keysTopic, String changesTopic, Duration timeout) {
        return open(client, keysTopic, changesTopic, timeout, new MemoryRegistryStore());
    }

    /**
     * Opens the registry with its state in an index on this machine's disk ({@code indexDirectory}, owner-only, one
     * per identity): the replay resumes where the last process of this identity stopped, and memory holds a bounded
     * cache, not every key. If another process has that index open, this one keeps its state in memory.
     *
     * @param indexDirectory    where the index lives; created if missing
     * @param cacheBytes        the bound on the memory the index caches its blocks in
     * @param eraseInterval     the least time between two rounds that remove shredded keys' superseded copies from
     *                          the index's files (each round rewrites the index)
     */
    public static KafkaDekRegistry open(Properties client, String keysTopic, String changesTopic, Duration timeout,
                                        Path indexDirectory, long cacheBytes, Duration eraseInterval) {
        RegistryStore store;
        try {
            store = RocksRegistryStore.open(LocalKeyStores.ownerOnlyDirectory(indexDirectory), cacheBytes, eraseInterval);
        } catch (RocksRegistryStore.LockedException inUse) {
            LOG.info("{}: this process replays the key registry into memory instead", inUse.getMessage());
            store = new MemoryRegistryStore();
        }
        return open(client, keysTopic, changesTopic, timeout, store);
    }

    private static KafkaDekRegistry open(Properties client, String keysTopic, String changesTopic, Duration timeout,
                                         RegistryStore store) {
        KafkaDekRegistry registry = new KafkaDekRegistry(client, keysTopic, changesTopic, timeout, store);
        try {
            registry.awaitCaughtUp();
            return registry;
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /**
     * Continues the replay where the index stopped; from the beginning if the index is new, of other topics (recreated
     * ones: their ids differ) or of another format, or if the log no longer reaches its positions.
     */
    private void resume(KafkaConsumer<byte[], byte[]> consumer, KafkaConsumer<byte[], byte[]> offsets,
                        List<TopicPartition> all, Properties client) {
        String origin = "format " + RegistryReplay.FORMAT + "; " + topicIds(client);
        Map<TopicPartition, Long> stored = state.positions(all);
        Map<TopicPartition, Long> begin = offsets.beginningOffsets(all, timeout);
        Map<TopicPartition, Long> end = offsets.endOffsets(all, timeout);
        boolean resumable = state.origin().map(origin::equals).orElse(false)
                && all.stream().allMatch(tp -> stored.get(tp) >= begin.get(tp) && stored.get(tp) <= end.get(tp));
        if (!resumable) {
            if (state.origin().isPresent()) {
                LOG.info("the key registry index {} was made from {}, now {}: replaying from the beginning",
                        store.location(), state.origin().get(), origin);
            }
            state.restart(origin);
        }
        this.resumed = resumable;
        for (TopicPartition tp : all) {
            long next = resumable ? stored.get(tp) : begin.get(tp);
            consumer.seek(tp, next);
            progress.start(tp, next);
        }
    }

    /** The registry topics' ids: a topic deleted and created again under its name has another. */
    private String topicIds(Properties client) {
        Properties admin = new Properties();
        admin.putAll(client);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        try (Admin a = Admin.create(admin)) {
            Map<String, TopicDescription> described = a.describeTopics(List.of(keysTopic, changesTopic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Uuid keys = described.get(keysTopic).topicId();
            Uuid changes = described.get(changesTopic).topicId();
            if (keys.equals(Uuid.ZERO_UUID) || changes.equals(Uuid.ZERO_UUID)) {
                return "topics without ids " + nonce(); // cannot tell a recreated topic: never resumed
            }
            return keysTopic + " " + keys + ", " + changesTopic + " " + changes;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException denied) {
                throw denied;
            }
            throw new KeyServiceUnavailableException("the key registry's topics could not be described: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KeyServiceUnavailableException("the key registry's topics were not described within "
                    + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyServiceUnavailableException("interrupted while describing the key registry's topics", e);
        }
    }

    /** Whether this process resumed the replay from its index (rather than from the registry's beginning). */
    public boolean resumedFromIndex() {
        return resumed;
    }

    /** How many registry records this process has replayed since it opened the registry. */
    public long recordsReplayed() {
        return recordsReplayed.sum();
    }

    // ---------------------------------------------------------------- DekRepository

    @Override
    public Optional<StoredDek> find(String kekName, DekId id) {
        Ref ref = new Ref(kekName, id);
        Optional<StoredDek> dek = state.latest(ref);
        if (dek.isEmpty()) {
            awaitCaughtUp(); // made by another process a moment ago?
            dek = state.latest(ref);
        }
        return dek;
    }

    @Override
    public void insert(StoredDek dek) {
        requireNew(dek);
        send(keysTopic, RegistryRecords.dekKey(dek.kekName(), dek.id()), RegistryRecords.dekRecord(dek));
    }

    @Override
    public Optional<StoredDek> findShared(String kekName, String sharedName) {
        Name name = new Name(kekName, sharedName);
        Optional<DekId> id = state.claim(name);
        if (id.isEmpty()) {
            awaitCaughtUp();
            id = state.claim(name);
        }
        return id.isEmpty() ? Optional.empty() : find(kekName, id.get());
    }

    @Override
    public Optional<StoredDek> findSharedIfKnown(String kekName, String sharedName) {
        Optional<DekId> id = state.claim(new Name(kekName, sharedName));
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Optional<StoredDek> dek = state.latest(new Ref(kekName, id.get()));
        return dek.isPresent() ? dek : find(kekName, id.get());
    }

    @Override
    public StoredDek insertShared(StoredDek dek) {
        return await(keysTopic, insertSharedAsync(dek));
    }

    /**
     * Writes the key and its claim (both in flight at once: one partition, idempotent producer, so the key lands
     * before its claim) and completes once the claim is replayed here and so decided: with {@code dek}, or with the
     * key of the writer whose claim came first (then {@code dek}'s record is erased: it was never used). No thread
     * waits meanwhile, so a writer can have many new customers' keys in flight at once.
     */
    @Override
    public CompletableFuture<StoredDek> insertSharedAsync(StoredDek dek) {
        requireNew(dek);
        Objects.requireNonNull(dek.sharedName(), "sharedName");
        byte[] recordKey = RegistryRecords.dekKey(dek.kekName(), dek.id());
        ObjectNode claim = RegistryRecords.JSON.createObjectNode().put("type", "claim").put("kek", dek.kekName())
                .put("shared_name", dek.sharedName()).put("id", dek.id().hex());
        CompletableFuture<RecordMetadata> keyWritten = sendAsync(keysTopic, recordKey, RegistryRecords.dekRecord(dek));
        CompletableFuture<RecordMetadata> claimWritten = sendAsync(keysTopic,
                RegistryRecords.key("claim", dek.kekName(), dek.sharedName(), nonce()), claim);
        return keyWritten.thenCombine(claimWritten, (key, claimed) -> claimed)
                .thenCompose(claimed -> progress.whenReplayed(new TopicPartition(claimed.topic(), claimed.partition()),
                        claimed.offset()))
                .thenApply(replayed -> claimWinner(dek, recordKey));
    }

    private StoredDek claimWinner(StoredDek dek, byte[] recordKey) {
        DekId winner = state.claim(new Name(dek.kekName(), dek.sharedName())).orElseThrow(() ->
                new IllegalStateException("the claim of " + dek.sharedName() + " was replayed but not decided"));
        if (dek.id().equals(winner)) {
            return dek;
        }
        eraseLater(new TopicKey(keysTopic, recordKey)); // never used: another writer's key won
        return find(dek.kekName(), winner).orElseThrow(() -> new IllegalStateException("shared DEK "
                + dek.sharedName() + " of KEK " + dek.kekName() + " was claimed for a missing DEK " + winner));
    }

    @Override
    public boolean compareAndSet(StoredDek expected, StoredDek replacement) {
        DekRepository.requireNextRevision(expected, replacement);
        String nonce = nonce();
        byte[] recordKey = RegistryRecords.key("change", expected.kekName(), expected.id().hex(), Long.toString(replacement.revision()), nonce);
        ObjectNode change = RegistryRecords.dekJson(replacement).put("type", "change").put("nonce", nonce);
        RecordMetadata written = send(changesTopic, recordKey, change);
        awaitReplayed(new TopicPartition(written.topic(), written.partition()), written.offset());
        Optional<RegistryReplay.Entry> entry = state.entry(new Ref(expected.kekName(), expected.id()));
        boolean won = entry.isPresent() && nonce.equals(entry.get().acceptedProposals().get(replacement.revision()));
        List<TopicKey> erase = new ArrayList<>();
        if (won && replacement.destroyed()) {
            // Every earlier record of the key holds its material; the tombstone itself stays, for good.
            entry.get().materialRecords().stream().filter(r -> !java.util.Arrays.equals(r.key(), recordKey))
                    .forEach(erase::add);
        }
        if (!won) {
            erase.add(new TopicKey(changesTopic, recordKey)); // a lost proposal may hold material too (a re-wrap)
        }
        eraseQuietly(erase);
        return won;
    }

    @Override
    public List<StoredDek> list(String kekName) {
        awaitCaughtUp();
        return state.list(kekName);
    }

    @Override
    public Subscription subscribe(DekChangeListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void close() {
        running = false;
        replayConsumer.wakeup();
        try {
            replayThread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(producer, null, offsetsConsumer);
        progress.fail(new IllegalStateException("the key registry was closed"));
        completions.shutdown();
        store.close(); // a replay that did not stop in time fails its next commit, refused by the closed store
    }

    // ---------------------------------------------------------------- replay

    private void replay() {
        try (KafkaConsumer<byte[], byte[]> consumer = replayConsumer) {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(500));
                recordsReplayed.add(records.count());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    try {
                        state.apply(record);
                    } catch (IllegalArgumentException unreadable) {
                        // Fail closed: a record no reader can read gives no key, never a wrong one; every reader skips
                        // it alike. Anything else (the index failing) ends the replay before this batch is committed:
                        // skipping a record one process could not store would make that process decide differently.
                        LOG.warn("key registry record {}-{}@{} ignored: {}", record.topic(), record.partition(),
                                record.offset(), unreadable.toString());
                    }
                }
                Map<TopicPartition, Long> positions = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    positions.put(tp, consumer.position(tp));
                }
                if (progress.movedTo(positions)) {
                    // Readers see the batch, then learn that the replay reached it, then listeners hear of changes:
                    // a cache that drops a key on the news can no longer read the old one back.
                    List<Ref> changed = state.commit(positions);
                    progress.advance(positions);
                    for (Ref ref : changed) {
                        listeners.forEach(l -> l.changed(ref.kekName(), ref.id()));
                    }
                }
            }
        } catch (WakeupException stopping) {
            // closed
        } catch (RuntimeException e) {
            LOG.warn("the key registry's replay stopped: this process can no longer look keys up", e);
            progress.fail(e);
            listeners.forEach(DekChangeListener::changedAll);
        }
    }

    // ---------------------------------------------------------------- waiting

    /** Waits until this process has replayed everything written to the registry before the call. */
    private void awaitCaughtUp() {
        Map<TopicPartition, Long> ends;
        try {
            synchronized (offsetsConsumer) {
                ends = offsetsConsumer.endOffsets(partitions, timeout);
            }
        } catch (AuthorizationException e) {
            throw new KeyAccessDeniedException(keysTopic, "the key registry refused this identity: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new KeyServiceUnavailableException("the key registry (" + keysTopic + ", " + changesTopic
                    + ") did not answer: " + e.getMessage(), e);
        }
        ends.forEach((tp, end) -> awaitReplayed(tp, end - 1));
    }

    private void awaitReplayed(TopicPartition tp, long offset) {
        progress.await(tp, offset);
    }

    // ---------------------------------------------------------------- writing

    private RecordMetadata send(String topic, byte[] key, JsonNode value) {
        return await(topic, sendAsync(topic, key, value));
    }

    /** The broker's acknowledgement (acks=all: then the record is durable), or the refusal, translated. */
    private CompletableFuture<RecordMetadata> sendAsync(String topic, byte[] key, JsonNode value) {
        CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, key, RegistryRecords.JSON.writeValueAsBytes(value)),
                    (metadata, error) -> {
                        if (error == null) {
                            written.complete(metadata);
                        } else {
                            written.completeExceptionally(writeFailed(topic, error));
                        }
                    });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            written.completeExceptionally(writeFailed(topic, e));
        }
        return written;
    }

    private static RuntimeException writeFailed(String topic, Throwable error) {
        if (error instanceof AuthorizationException denied) {
            return new KeyAccessDeniedException(topic, "the key registry refused to let this identity write " + topic
                    + ": " + denied.getMessage(), denied);
        }
        return new KeyServiceUnavailableException("the key registry did not store a record on " + topic + ": "
                + error.getMessage(), error);
    }

    /** Waits for a write (or a claim's decision): its result, or its failure as the registry reported it. */
    private <T> T await(String topic, CompletableFuture<T> written) {
        try {
            return written.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new KeyServiceUnavailableException("the key registry failed on " + topic + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KeyServiceUnavailableException("the key registry did not acknowledge a record on " + topic
                    + " within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyServiceUnavailableException("interrupted while writing to the key registry", e);
        }
    }

    /** A null record over {@code record}, not awaited: a failure only leaves material a later shred erases. */
    private void eraseLater(TopicKey record) {
        try {
            producer.send(new ProducerRecord<>(record.topic(), record.key(), null), (metadata, error) -> {
                if (error != null) {
                    LOG.warn("could not erase an unused key registry record on {}: {}", record.topic(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("could not erase an unused key registry record on {}: {}", record.topic(), e.toString());
        }
    }

    /** Null records over {@code records}: compaction deletes them and what they held. */
    private void eraseQuietly(List<TopicKey> records) {
        for (TopicKey record : records) {
            try {
                producer.send(new ProducerRecord<>(record.topic(), record.key(), null)).get(timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warn("could not erase a superseded key registry record on {}: it keeps its material until a later"
                        + " shred erases it", record.topic(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------- records

    private static void requireNew(StoredDek dek) {
        if (dek.revision() != 1 || dek.destroyed()) {
            throw new IllegalArgumentException("a new DEK is live and has revision 1");
        }
    }

    private String nonce() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Bounded: every write was awaited already, and a broker that is gone must not hold up the caller's exit. */
    private static void closeQuietly(KafkaProducer<?, ?> producer, KafkaConsumer<?, ?> a, KafkaConsumer<?, ?> b) {
        Duration bound = Duration.ofSeconds(5);
        try {
            if (producer != null) {
                producer.close(bound);
            }
            for (KafkaConsumer<?, ?> consumer : java.util.Arrays.asList(a, b)) {
                if (consumer != null) {
                    consumer.close(bound);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("closing a key registry client", e);
        }
    }
}
