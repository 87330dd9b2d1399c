package io.securelake.operations.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.encryption.DekId;
import io.securelake.encryption.LocalWrap;
import io.securelake.encryption.StoredDek;
import io.securelake.operations.keys.RegistryReplay.Name;
import io.securelake.operations.keys.RegistryReplay.Ref;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key registry's on-disk index, without Kafka: the records are the registry's own ({@link RegistryRecords}),
 * replayed as a consumer would hand them over. It resumes where it stopped, decides the compare-and-set as the
 * in-memory replay does, and a shred leaves the shredded key's material in none of its files.
 */
class RegistryIndexTest {

    private static final String KEYS = "dev.keys.deks";
    private static final String CHANGES = "dev.keys.changes";
    private static final String KEK = "dev.payments";
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private long offset;

    @Test
    void aShreddedKeysMaterialIsInNoFileOfTheIndexOnceTheShredIsCommitted() throws Exception {
        StoredDek key = subjectKey("customer-1");
        StoredDek other = subjectKey("customer-2");
        String material = Base64.getEncoder().encodeToString(key.localWrap().sealed());
        String otherMaterial = Base64.getEncoder().encodeToString(other.localWrap().sealed());
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            replay.apply(newKey(key));
            replay.apply(newKey(other));
            replay.commit(Map.of());
        }
        // Reopened: what the write-ahead log held is now in the index's table files too.
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            assertThat(filesHolding(material)).as("the control: the live key's material is in the index").isNotEmpty();

            replay.apply(change(key.destroyedAt(Instant.now()), "n-1"));
            List<Ref> changed = replay.commit(Map.of());
            store.awaitForgotten(); // the eraser runs beside the replay, which must not wait for a compaction

            assertThat(changed).containsExactly(new Ref(KEK, key.id()));
            assertThat(replay.latest(new Ref(KEK, key.id())).orElseThrow().destroyed()).isTrue();
            assertThat(filesHolding(material)).as("files of the index still holding the shredded key's material").isEmpty();
            assertThat(filesHolding(otherMaterial)).as("another customer's key is untouched").isNotEmpty();
            assertThat(replay.latest(new Ref(KEK, other.id())).orElseThrow().localWrap().sealed())
                    .isEqualTo(other.localWrap().sealed());
        }
    }

    @Test
    void erasuresWaitingForTheNextRoundAreFinishedBeforeTheIndexCloses() throws Exception {
        StoredDek first = subjectKey("customer-6");
        StoredDek second = subjectKey("customer-7");
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            replay.apply(newKey(first));
            replay.apply(newKey(second));
            replay.commit(Map.of());
        }
        // A long interval: the eraser's next round is an hour away when the index is closed.
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ofHours(1))) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            replay.apply(change(first.destroyedAt(Instant.now()), "a"));
            replay.commit(Map.of());
            store.awaitForgotten(); // the first round after a quiet period runs at once
            replay.apply(change(second.destroyedAt(Instant.now()), "b"));
            replay.commit(Map.of()); // this one waits for the interval…
            assertThat(filesHolding(Base64.getEncoder().encodeToString(first.localWrap().sealed()))).isEmpty();
            assertThat(filesHolding(Base64.getEncoder().encodeToString(second.localWrap().sealed())))
                    .as("not yet: the round is an hour away").isNotEmpty();
        }
        // …or for the close, which runs it before letting go.
        assertThat(filesHolding(Base64.getEncoder().encodeToString(second.localWrap().sealed()))).isEmpty();
    }

    @Test
    void aReopenedIndexResumesAtItsPositionsWithItsState() {
        TopicPartition keys = new TopicPartition(KEYS, 0);
        TopicPartition changes = new TopicPartition(CHANGES, 0);
        StoredDek key = subjectKey("customer-3");
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            assertThat(replay.origin()).isEmpty();
            replay.restart("format 1; topics a, b");
            assertThat(replay.positions(List.of(keys, changes))).containsEntry(keys, -1L).containsEntry(changes, -1L);
            replay.apply(newKey(key));
            replay.apply(claim(key, "claim-nonce"));
            replay.commit(Map.of(keys, 2L, changes, 0L));
        }
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            assertThat(replay.origin()).contains("format 1; topics a, b");
            assertThat(replay.positions(List.of(keys, changes))).containsEntry(keys, 2L).containsEntry(changes, 0L);
            assertThat(replay.claim(new Name(KEK, key.sharedName()))).contains(key.id());
            assertThat(replay.list(KEK)).extracting(StoredDek::id).containsExactly(key.id());
            // A restart (another origin) forgets everything.
            replay.restart("format 1; topics c, d");
            assertThat(replay.list(KEK)).isEmpty();
            assertThat(replay.positions(List.of(keys))).containsEntry(keys, -1L);
        }
    }

    @Test
    void theCompareAndSetIsDecidedByReplayOrderAndATombstoneIsFinalEvenBeforeItsKey() {
        StoredDek key = subjectKey("customer-4");
        StoredDek late = subjectKey("customer-5");
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            replay.apply(newKey(key));
            replay.commit(Map.of());
            // Two proposals for revision 2: the first in the log wins, the second is ignored.
            replay.apply(change(key.destroyedAt(Instant.now()), "first"));
            replay.apply(change(new StoredDek(KEK, key.id(), key.scope(), key.sharedName(), null,
                    new LocalWrap(new DekId(9), new byte[12], random(48)), key.checkValue(), 0, key.createdAt(), null, 2),
                    "second"));
            replay.commit(Map.of());
            var entry = replay.entry(new Ref(KEK, key.id())).orElseThrow();
            assertThat(entry.latest().destroyed()).isTrue();
            assertThat(entry.acceptedProposals()).containsEntry(2L, "first");

            // A tombstone replayed before its key (the key's record erased, or the topics read side by side).
            replay.apply(change(late.destroyedAt(Instant.now()), "t"));
            replay.apply(newKey(late));
            replay.commit(Map.of());
            assertThat(replay.latest(new Ref(KEK, late.id())).orElseThrow().destroyed()).as("final").isTrue();
        }
    }

    @Test
    void aTombstoneWhoseEarlierRevisionsWereErasedStillDestroysTheKeyForAReplayThatMissedThem() {
        StoredDek key = subjectKey("customer-8");
        StoredDek rewrapped = new StoredDek(KEK, key.id(), key.scope(), key.sharedName(), null,
                new LocalWrap(new DekId(8), random(12), random(48)), key.checkValue(), 0, key.createdAt(), null, 2);
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            replay.apply(newKey(key));
            replay.commit(Map.of()); // this index stopped here…
            // …while the registry accepted a re-wrap (revision 2) and then a shred (revision 3), whose proposer nulled
            // the re-wrap's record, which compaction removed: the resumed replay meets revision 3 right after 1.
            replay.apply(change(rewrapped.destroyedAt(Instant.now()), "shred"));
            List<Ref> changed = replay.commit(Map.of());
            assertThat(changed).containsExactly(new Ref(KEK, key.id()));
            assertThat(replay.latest(new Ref(KEK, key.id())).orElseThrow().destroyed()).isTrue();
            // A live proposal that skips a revision is still refused: only a tombstone may bridge erased history.
            StoredDek other = subjectKey("customer-9");
            replay.apply(newKey(other));
            replay.apply(change(new StoredDek(KEK, other.id(), other.scope(), other.sharedName(), null,
                    new LocalWrap(new DekId(8), random(12), random(48)), other.checkValue(), 0, other.createdAt(), null, 3),
                    "skip"));
            replay.commit(Map.of());
            assertThat(replay.latest(new Ref(KEK, other.id())).orElseThrow().revision()).isEqualTo(1);
        }
    }

    @Test
    void anUnreadableRecordIsSkippedAsAnUnreadableOneWithoutChangingAnything() {
        try (RocksRegistryStore store = RocksRegistryStore.open(dir, 1 << 20, Duration.ZERO)) {
            RegistryReplay replay = new RegistryReplay(store, KEYS, CHANGES);
            var forged = RegistryRecords.JSON.createObjectNode().put("type", "dek").put("kek", KEK).put("id", "00")
                    .put("scope", "SUBJECT").put("created_at", "not a time").put("revision", 1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay.apply(record(KEYS, new byte[] {1}, forged)))
                    .isInstanceOf(IllegalArgumentException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> replay.apply(new ConsumerRecord<>(KEYS, 0, offset++,
                    new byte[] {2}, "{not json".getBytes(StandardCharsets.UTF_8)))).isInstanceOf(IllegalArgumentException.class);
            assertThat(replay.commit(Map.of())).isEmpty();
            assertThat(replay.list(KEK)).isEmpty();
        }
    }

    private StoredDek subjectKey(String subject) {
        return StoredDek.sealedLocally(KEK, new DekId(RANDOM.nextLong()), "subject/" + subject,
                new LocalWrap(new DekId(7), random(12), random(48)), random(8), 0, Instant.parse("2026-12-07T10:00:00Z"));
    }

    private ConsumerRecord<byte[], byte[]> newKey(StoredDek dek) {
        return record(KEYS, RegistryRecords.dekKey(dek.kekName(), dek.id()), RegistryRecords.dekRecord(dek));
    }

    private ConsumerRecord<byte[], byte[]> claim(StoredDek dek, String nonce) {
        var claim = RegistryRecords.JSON.createObjectNode().put("type", "claim").put("kek", dek.kekName())
                .put("shared_name", dek.sharedName()).put("id", dek.id().hex());
        return record(KEYS, RegistryRecords.key("claim", dek.kekName(), dek.sharedName(), nonce), claim);
    }

    private ConsumerRecord<byte[], byte[]> change(StoredDek dek, String nonce) {
        var change = RegistryRecords.dekJson(dek).put("type", "change").put("nonce", nonce);
        return record(CHANGES, RegistryRecords.key("change", dek.kekName(), dek.id().hex(), Long.toString(dek.revision()), nonce),
                change);
    }

    private ConsumerRecord<byte[], byte[]> record(String topic, byte[] key, com.fasterxml.jackson.databind.JsonNode value) {
        try {
            return new ConsumerRecord<>(topic, 0, offset++, key, RegistryRecords.JSON.writeValueAsBytes(value));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> filesHolding(String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> contains(read(f), needle)).toList();
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            return new byte[0]; // deleted while listed: it holds nothing any more
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
