package io.securelake.operations.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.securelake.encryption.DekId;
import io.securelake.encryption.StoredDek;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The key registry's state as every reader decides it from the two topics ({@link KafkaDekRegistry} says how), kept
 * in a {@link RegistryStore}. The replay thread {@linkplain #apply applies} records and {@linkplain #commit commits}
 * them with the positions they bring the replay to; every other thread reads what was committed.
 *
 * <p>Store layout ({@code NUL} separates the parts, which may contain {@code /}): {@code e<kek><id>} a key's accepted
 * state (its latest revision, which proposal made each revision, the registry records holding its material);
 * {@code c<kek><shared name>} the id that won a name's claim; {@code w<kek><id>} proposals replayed before the key
 * they change; {@code p<topic><partition>} the next offset to replay; {@code m…} what the index belongs to.
 */
final class RegistryReplay {

    record Ref(String kekName, DekId id) {
    }

    record Name(String kekName, String sharedName) {
    }

    record TopicKey(String topic, byte[] key) {
    }

    /** A key's accepted state, which proposal made each revision, and the records holding its material. */
    record Entry(StoredDek latest, Map<Long, String> acceptedProposals, List<TopicKey> materialRecords) {
    }

    private record Proposal(String nonce, StoredDek dek, byte[] key) {
    }

    /** What the index was replayed from; another value (a recreated topic, another format) means replay afresh. */
    static final String FORMAT = "1";
    private static final String SEP = "\u0000";

    private final RegistryStore store;
    private final String keysTopic;
    private final String changesTopic;
    // Replay thread only: the batch being applied, read before the store so later records see earlier ones.
    private final Map<String, byte[]> pending = new HashMap<>();
    private final Set<String> erased = new HashSet<>();
    private final Set<Ref> changed = new LinkedHashSet<>();

    RegistryReplay(RegistryStore store, String keysTopic, String changesTopic) {
        this.store = store;
        this.keysTopic = keysTopic;
        this.changesTopic = changesTopic;
    }

    // ---------------------------------------------------------------- resuming

    /** The committed next offset per partition, or {@code -1} where the index has none. */
    Map<TopicPartition, Long> positions(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            byte[] v = store.get(positionKey(tp));
            out.put(tp, v == null ? -1L : Long.parseLong(new String(v, StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** What the index says it was replayed from ({@code m} entries), or empty for an index never written. */
    Optional<String> origin() {
        byte[] v = store.get("m" + SEP + "origin");
        return v == null ? Optional.empty() : Optional.of(new String(v, StandardCharsets.UTF_8));
    }

    /** Forgets everything and records {@code origin}: the replay starts from the beginning. */
    void restart(String origin) {
        store.clear();
        Map<String, byte[]> w = new HashMap<>();
        w.put("m" + SEP + "origin", origin.getBytes(StandardCharsets.UTF_8));
        store.commit(w, Set.of());
    }

    // ---------------------------------------------------------------- the replay thread

    void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return; // an erasure: the record it replaces is gone for good, and so is what it held
        }
        TopicKey topicKey = new TopicKey(record.topic(), record.key());
        // Everything read from the record first: whatever is wrong with it is an IllegalArgumentException, which every
        // reader skips alike, raised before this record changed anything.
        String type;
        StoredDek dek = null;
        String nonce = null;
        Name claimName = null;
        DekId claimId = null;
        try {
            JsonNode value = RegistryRecords.readJson(record.value());
            type = value.path("type").asText();
            if (type.equals("dek") || type.equals("change")) {
                dek = RegistryRecords.dekOf(value);
                nonce = value.path("nonce").asText();
            } else if (type.equals("claim")) {
                claimName = new Name(RegistryRecords.text(value, "kek"), RegistryRecords.text(value, "shared_name"));
                claimId = DekId.fromHex(RegistryRecords.text(value, "id"));
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unreadable key registry record: " + e, e);
        }
        if (record.topic().equals(keysTopic) && type.equals("dek")) {
            if (dek.revision() != 1 || dek.destroyed()) {
                throw new IllegalArgumentException("a new key must be revision 1 and live");
            }
            Ref ref = new Ref(dek.kekName(), dek.id());
            if (read(entryKey(ref)) != null) {
                return; // the id is taken, or the key was destroyed before this copy was replayed: final
            }
            Entry entry = new Entry(dek, new HashMap<>(), new ArrayList<>(List.of(topicKey)));
            List<Proposal> waiting = waitingFor(ref);
            for (Proposal proposal : waiting) {
                entry = propose(entry, proposal);
            }
            if (!waiting.isEmpty()) {
                write(waitingKey(ref), null);
                erased.add(waitingKey(ref)); // the proposals' copies in the index (a re-wrap holds material)
                changed.add(ref);
            }
            if (entry.latest().destroyed()) {
                erased.add(entryKey(ref));
            }
            write(entryKey(ref), encode(entry));
        } else if (record.topic().equals(keysTopic) && type.equals("claim")) {
            String claim = claimKey(claimName);
            if (read(claim) == null) {
                write(claim, claimId.hex().getBytes(StandardCharsets.UTF_8));
            }
        } else if (record.topic().equals(changesTopic) && type.equals("change")) {
            Proposal proposal = new Proposal(nonce, dek, record.key());
            Ref ref = new Ref(dek.kekName(), dek.id());
            byte[] stored = read(entryKey(ref));
            if (stored == null && dek.destroyed()) {
                // A tombstone needs no base: after an erasure it is all that is left of the key.
                Map<Long, String> accepted = new HashMap<>();
                accepted.put(dek.revision(), proposal.nonce());
                write(entryKey(ref), encode(new Entry(dek, accepted, new ArrayList<>())));
                if (read(waitingKey(ref)) != null) {
                    write(waitingKey(ref), null);
                    erased.add(waitingKey(ref)); // a waiting re-wrap held material
                }
                changed.add(ref);
            } else if (stored == null) {
                ArrayNode waiting = waitingJson(ref);
                waiting.addObject().put("nonce", proposal.nonce()).put("key", b64(proposal.key()))
                        .set("dek", RegistryRecords.dekJson(dek));
                write(waitingKey(ref), waiting.toString().getBytes(StandardCharsets.UTF_8));
            } else {
                Entry before = decode(stored);
                Entry after = propose(before, proposal);
                if (after != before) {
                    write(entryKey(ref), encode(after));
                    if (after.latest().destroyed()) {
                        erased.add(entryKey(ref)); // the index's own copies of the material
                    }
                    changed.add(ref);
                }
            }
        } else {
            throw new IllegalArgumentException("unknown record type '" + type + "' on " + record.topic());
        }
    }

    /**
     * Commits what was applied since the last commit, with the positions the replay reached, in one batch; returns the
     * keys whose accepted state changed, to be told to listeners now that readers see the change.
     */
    List<Ref> commit(Map<TopicPartition, Long> positions) {
        positions.forEach((tp, next) -> pending.put(positionKey(tp), Long.toString(next).getBytes(StandardCharsets.UTF_8)));
        store.commit(pending, erased);
        List<Ref> out = List.copyOf(changed);
        pending.clear();
        erased.clear();
        changed.clear();
        return out;
    }

    /**
     * The compare-and-set, as every reader decides it: the next revision of a key not destroyed. A tombstone of any
     * later revision is accepted too: over the whole log it can only follow the revisions before it, so a gap means
     * those were erased (a shred nulls the re-wraps it supersedes, and compaction removes them), and a replay that
     * meets the tombstone without them must still end with the key destroyed.
     */
    private Entry propose(Entry entry, Proposal proposal) {
        StoredDek current = entry.latest();
        long next = current.revision() + 1;
        boolean follows = !current.destroyed() && (proposal.dek().revision() == next
                || proposal.dek().destroyed() && proposal.dek().revision() > next);
        if (!follows) {
            return entry;
        }
        Map<Long, String> accepted = new HashMap<>(entry.acceptedProposals());
        accepted.put(proposal.dek().revision(), proposal.nonce());
        List<TopicKey> material = new ArrayList<>(entry.materialRecords());
        material.add(new TopicKey(changesTopic, proposal.key()));
        return new Entry(proposal.dek(), accepted, material);
    }

    private List<Proposal> waitingFor(Ref ref) {
        List<Proposal> out = new ArrayList<>();
        for (JsonNode p : waitingJson(ref)) {
            out.add(new Proposal(p.path("nonce").asText(), RegistryRecords.dekOf(p.path("dek")),
                    Base64.getDecoder().decode(p.path("key").asText())));
        }
        return out;
    }

    private ArrayNode waitingJson(Ref ref) {
        byte[] v = read(waitingKey(ref));
        return v == null ? RegistryRecords.JSON.createArrayNode() : (ArrayNode) RegistryRecords.readJson(v);
    }

    private byte[] read(String key) {
        return pending.containsKey(key) ? pending.get(key) : store.get(key);
    }

    private void write(String key, byte[] value) {
        pending.put(key, value);
    }

    // ---------------------------------------------------------------- readers: the committed state

    Optional<Entry> entry(Ref ref) {
        byte[] v = store.get(entryKey(ref));
        return v == null ? Optional.empty() : Optional.of(decode(v));
    }

    Optional<StoredDek> latest(Ref ref) {
        return entry(ref).map(Entry::latest);
    }

    Optional<DekId> claim(Name name) {
        byte[] v = store.get(claimKey(name));
        return v == null ? Optional.empty() : Optional.of(DekId.fromHex(new String(v, StandardCharsets.UTF_8)));
    }

    /** Every key of {@code kekName}, oldest first. */
    List<StoredDek> list(String kekName) {
        List<StoredDek> out = new ArrayList<>();
        store.forEachWithPrefix("e" + SEP + kekName + SEP, (k, v) -> out.add(decode(v).latest()));
        out.sort(Comparator.comparing(StoredDek::createdAt));
        return out;
    }

    // ---------------------------------------------------------------- encoding

    private static String entryKey(Ref ref) {
        return "e" + SEP + ref.kekName() + SEP + ref.id().hex();
    }

    private static String waitingKey(Ref ref) {
        return "w" + SEP + ref.kekName() + SEP + ref.id().hex();
    }

    private static String claimKey(Name name) {
        return "c" + SEP + name.kekName() + SEP + name.sharedName();
    }

    private static String positionKey(TopicPartition tp) {
        return "p" + SEP + tp.topic() + SEP + tp.partition();
    }

    static byte[] encode(Entry entry) {
        ObjectNode o = RegistryRecords.JSON.createObjectNode();
        o.set("latest", RegistryRecords.dekJson(entry.latest()));
        ObjectNode accepted = o.putObject("accepted");
        entry.acceptedProposals().forEach((revision, nonce) -> accepted.put(Long.toString(revision), nonce));
        ArrayNode material = o.putArray("material");
        entry.materialRecords().forEach(r -> material.addObject().put("topic", r.topic()).put("key", b64(r.key())));
        try {
            return RegistryRecords.JSON.writeValueAsBytes(o);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Entry decode(byte[] bytes) {
        JsonNode o = RegistryRecords.readJson(bytes);
        Map<Long, String> accepted = new HashMap<>();
        o.path("accepted").fields().forEachRemaining(f -> accepted.put(Long.parseLong(f.getKey()), f.getValue().asText()));
        List<TopicKey> material = new ArrayList<>();
        o.path("material").forEach(m -> material.add(new TopicKey(m.path("topic").asText(),
                Base64.getDecoder().decode(m.path("key").asText()))));
        return new Entry(RegistryRecords.dekOf(o.path("latest")), accepted, material);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
