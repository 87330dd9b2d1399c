package io.securelake.encryption.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.encryption.DekChangeListener;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.Fixtures;
import io.securelake.encryption.Fixtures.MutableClock;
import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KeyAdministration;
import io.securelake.encryption.KeyShreddedException;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import io.securelake.encryption.WrongKeyException;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key hierarchy (KMS → dataset wrapping keys → subject keys sealed locally), compare-and-set changes with final
 * tombstones, ciphertexts that a rotation does not change, and changes pushed to other processes' caches.
 */
class KeyHierarchyTest {

    private static final String KEK = "dev.payments";
    private static final EncryptionContext EMAIL = new EncryptionContext("dev", "payments", "customer.email");
    private static final EncryptionContext CARD = new EncryptionContext("dev", "payments", "card_number");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void newSubjectsCostNoKmsCallAndAnotherProcessNeedsOne() {
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        int subjects = 1_000;
        List<byte[]> written = new ArrayList<>();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            for (int s = 0; s < subjects; s++) {
                written.add(writer.encrypt(utf8("mail-" + s), EMAIL, EncryptionMode.RANDOMIZED, "customer-" + s));
            }
            // One call for the whole run: the period's wrapping key. Before the hierarchy, one per subject.
            assertThat(writer.stats().kmsCalls()).isEqualTo(1);
            assertThat(repository.list(KEK)).filteredOn(d -> d.scope() == DekScope.SUBJECT).hasSize(subjects)
                    .allSatisfy(d -> assertThat(d.localWrap()).isNotNull());
            assertThat(repository.list(KEK)).filteredOn(d -> d.scope() == DekScope.WRAPPING).hasSize(1);

            try (FieldCipher otherProcess = Fixtures.cipher("dev", provider, new DirectoryDekRepository(dir.resolve("deks")),
                    clock)) {
                for (int s = 0; s < subjects; s++) {
                    assertThat(otherProcess.decrypt(written.get(s), EMAIL)).isEqualTo(utf8("mail-" + s));
                }
                assertThat(otherProcess.stats().kmsCalls()).as("one unwrap of the wrapping key").isEqualTo(1);
            }
        }
    }

    @Test
    void theWrappingKeyChangesWithThePeriodAndOldSubjectsStayReadable() {
        DekRepository repository = Fixtures.memoryRepository();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            byte[] before = writer.encrypt(utf8("old"), EMAIL, EncryptionMode.RANDOMIZED, "customer-1");
            clock.advance(Duration.ofDays(1));
            byte[] after = writer.encrypt(utf8("new"), EMAIL, EncryptionMode.RANDOMIZED, "customer-2");
            assertThat(writer.stats().kmsCalls()).isEqualTo(2);
            List<StoredDek> wrapping = repository.list(KEK).stream().filter(d -> d.scope() == DekScope.WRAPPING).toList();
            assertThat(wrapping).hasSize(2);
            assertThat(wrapping).extracting(StoredDek::sharedName).allMatch(n -> n.startsWith("wrapping/"));
            assertThat(repository.findShared(KEK, FieldEncryptionNames.subject("customer-1")).orElseThrow().localWrap().wrappingKey())
                    .isNotEqualTo(repository.findShared(KEK, FieldEncryptionNames.subject("customer-2")).orElseThrow()
                            .localWrap().wrappingKey());
            try (FieldCipher reader = Fixtures.cipher("dev", provider, repository, clock)) {
                assertThat(reader.decrypt(before, EMAIL)).isEqualTo(utf8("old"));
                assertThat(reader.decrypt(after, EMAIL)).isEqualTo(utf8("new"));
            }
        }
    }

    @Test
    void aWriterAsksTheKmsAboutItsWrappingKeyOncePerHourWhateverTheNumberOfNewSubjects() {
        DekRepository repository = Fixtures.memoryRepository();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            int subject = 0;
            for (int minute = 0; minute < 180; minute += 10) {
                for (int i = 0; i < 50; i++) {
                    writer.encrypt(utf8("v"), EMAIL, EncryptionMode.RANDOMIZED, "customer-" + subject++);
                }
                clock.advance(Duration.ofMinutes(10));
            }
            // 900 new subjects over three hours of one period: the generate, then one unwrap per hour after it.
            assertThat(writer.stats().kmsCalls()).isEqualTo(3);
            assertThat(repository.list(KEK)).filteredOn(d -> d.scope() == DekScope.WRAPPING).hasSize(1);
        }
    }

    @Test
    void afterARotateAndRewrapNewSubjectsAreSealedUnderANewWrappingKeyBornUnderTheNewVersion() {
        DekRepository repository = Fixtures.memoryRepository();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            byte[] before = writer.encrypt(utf8("a"), EMAIL, EncryptionMode.RANDOMIZED, "customer-a");
            KeyAdministration admin = Fixtures.admin(provider, repository); // another process: the writer is not told
            admin.rollKek(KEK);
            admin.rewrap(KEK);
            byte[] after = writer.encrypt(utf8("b"), EMAIL, EncryptionMode.RANDOMIZED, "customer-b");
            StoredDek a = repository.findShared(KEK, FieldEncryptionNames.subject("customer-a")).orElseThrow();
            StoredDek b = repository.findShared(KEK, FieldEncryptionNames.subject("customer-b")).orElseThrow();
            assertThat(b.localWrap().wrappingKey()).isNotEqualTo(a.localWrap().wrappingKey());
            assertThat(a.originKekVersion()).isZero();
            assertThat(b.originKekVersion()).as("born under the new KEK version").isEqualTo(1);
            assertThat(repository.find(KEK, b.localWrap().wrappingKey()).orElseThrow().sharedName()).endsWith("-g1");
            try (FieldCipher reader = Fixtures.cipher("dev", provider, repository, clock)) {
                assertThat(reader.decrypt(before, EMAIL)).isEqualTo(utf8("a"));
                assertThat(reader.decrypt(after, EMAIL)).isEqualTo(utf8("b"));
            }
        }
    }

    @Test
    void aSubjectReferencePointedAtAnotherSubjectsKeyIsRefused() throws Exception {
        Path deks = dir.resolve("deks");
        DekRepository repository = new DirectoryDekRepository(deks);
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            writer.encrypt(utf8("a"), EMAIL, EncryptionMode.RANDOMIZED, "customer-a");
            writer.encrypt(utf8("b"), EMAIL, EncryptionMode.RANDOMIZED, "customer-b");
            StoredDek b = repository.findShared(KEK, FieldEncryptionNames.subject("customer-b")).orElseThrow();
            // Someone who may write the repository points a's reference at b's key.
            Path refOfA = deks.resolve(KEK).resolve("shared-" + FieldEncryptionNames.subject("customer-a").replace('/', '-') + ".ref");
            Files.writeString(refOfA, b.id().hex() + "\n");
            try (FieldCipher other = Fixtures.cipher("dev", provider, new DirectoryDekRepository(deks), clock)) {
                assertThatThrownBy(() -> other.encrypt(utf8("a2"), EMAIL, EncryptionMode.RANDOMIZED, "customer-a"))
                        .isInstanceOf(WrongKeyException.class).hasMessageContaining("the repository was altered");
            }
        }
    }

    @Test
    void aSealedSubjectKeyCopiedIntoAnotherSubjectsEntryDoesNotOpen() {
        DekRepository repository = Fixtures.memoryRepository();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            writer.encrypt(utf8("a"), EMAIL, EncryptionMode.RANDOMIZED, "customer-a");
            byte[] ofB = writer.encrypt(utf8("b"), EMAIL, EncryptionMode.RANDOMIZED, "customer-b");
            StoredDek a = repository.findShared(KEK, FieldEncryptionNames.subject("customer-a")).orElseThrow();
            StoredDek b = repository.findShared(KEK, FieldEncryptionNames.subject("customer-b")).orElseThrow();
            // Someone who may write the repository puts a's sealed key (and check value) into b's entry.
            StoredDek forged = new StoredDek(KEK, b.id(), b.scope(), b.sharedName(), null, a.localWrap(), a.checkValue(),
                    b.originKekVersion(), b.createdAt(), null, b.revision() + 1);
            assertThat(repository.compareAndSet(b, forged)).isTrue();
            try (FieldCipher reader = Fixtures.cipher("dev", provider, repository, clock)) {
                assertThatThrownBy(() -> reader.decrypt(ofB, EMAIL)).isInstanceOf(WrongKeyException.class)
                        .hasMessageContaining("does not open under its wrapping key");
            }
        }
    }

    @Test
    void deterministicCiphertextsAreTheSameBytesBeforeAndAfterRotateAndRewrap() {
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK)) {
            byte[] cardBefore;
            byte[] subjectCardBefore;
            try (FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
                cardBefore = writer.encrypt(utf8("4111111111111111"), CARD, EncryptionMode.DETERMINISTIC);
                subjectCardBefore = writer.encrypt(utf8("4242424242424242"), CARD, EncryptionMode.DETERMINISTIC, "customer-1");
                KeyAdministration admin = Fixtures.admin(provider, repository, writer);
                admin.rollKek(KEK);
                assertThat(admin.rewrap(KEK).rewrapped()).isEqualTo(2); // the deterministic and the wrapping key
                assertThat(repository.list(KEK)).filteredOn(StoredDek::wrappedByKms)
                        .allSatisfy(d -> assertThat(d.wrapped().kekVersionName()).isEqualTo(KEK + "@1"));
                // The same process after the rotation, and a new one: the same bytes, so joins and GROUP BY hold.
                assertThat(writer.encrypt(utf8("4111111111111111"), CARD, EncryptionMode.DETERMINISTIC)).isEqualTo(cardBefore);
            }
            try (FieldCipher newProcess = Fixtures.cipher("dev", provider, new DirectoryDekRepository(dir.resolve("deks")),
                    clock)) {
                assertThat(newProcess.encrypt(utf8("4111111111111111"), CARD, EncryptionMode.DETERMINISTIC))
                        .isEqualTo(cardBefore);
                assertThat(newProcess.encrypt(utf8("4242424242424242"), CARD, EncryptionMode.DETERMINISTIC, "customer-1"))
                        .isEqualTo(subjectCardBefore);
                assertThat(newProcess.decrypt(cardBefore, CARD)).isEqualTo(utf8("4111111111111111"));
            }
        }
    }

    @Test
    void aShredThatLandsInsideARewrapIsNotUndone() throws Exception {
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        AtomicReference<Runnable> duringKmsRewrap = new AtomicReference<>();
        try (HadoopKekProvider keystore = Fixtures.keystoreWith(dir, KEK);
             KekProvider provider = new PausingProvider(keystore, duringKmsRewrap)) {
            byte[] legacyData = legacySubjectData(keystore, repository, "customer-9", "secret of 9");
            KeyAdministration admin = Fixtures.admin(keystore, repository);
            admin.rollKek(KEK);
            // The re-wrap has read the subject's entry and asked the KMS; the shred lands before it writes back.
            duringKmsRewrap.set(() -> assertThat(admin.shredSubject(KEK, "customer-9")).isTrue());
            KeyAdministration.RewrapReport report = Fixtures.admin(provider, repository).rewrap(KEK);
            assertThat(duringKmsRewrap.get()).as("the shred ran inside the re-wrap").isNull();
            assertThat(report.rewrapped()).isZero();
            assertThat(report.destroyed()).isEqualTo(1);

            StoredDek entry = repository.findShared(KEK, FieldEncryptionNames.subject("customer-9")).orElseThrow();
            assertThat(entry.destroyed()).isTrue();
            try (FieldCipher reader = Fixtures.cipher("dev", keystore, repository, clock)) {
                assertThatThrownBy(() -> reader.decrypt(legacyData, EMAIL)).isInstanceOf(KeyShreddedException.class);
            }
            assertNoWrappedMaterialLeftFor(entry.id());
        }
    }

    @Test
    void aRewrapThatLandsInsideAShredDoesNotStopIt() throws Exception {
        DekRepository inner = new DirectoryDekRepository(dir.resolve("deks"));
        AtomicReference<Runnable> beforeFirstChange = new AtomicReference<>();
        DekRepository racing = new Fixtures.Delegating(inner) {
            @Override
            public boolean compareAndSet(StoredDek expected, StoredDek replacement) {
                Runnable first = beforeFirstChange.getAndSet(null);
                if (first != null) {
                    first.run();
                }
                return inner.compareAndSet(expected, replacement);
            }
        };
        try (HadoopKekProvider keystore = Fixtures.keystoreWith(dir, KEK)) {
            byte[] legacyData = legacySubjectData(keystore, inner, "customer-5", "secret of 5");
            KeyAdministration admin = Fixtures.admin(keystore, inner);
            admin.rollKek(KEK);
            beforeFirstChange.set(() -> assertThat(admin.rewrap(KEK).rewrapped()).isEqualTo(1));
            assertThat(Fixtures.admin(keystore, racing).shredSubject(KEK, "customer-5")).isTrue();
            assertThat(beforeFirstChange.get()).as("the re-wrap ran inside the shred").isNull();
            StoredDek entry = inner.findShared(KEK, FieldEncryptionNames.subject("customer-5")).orElseThrow();
            assertThat(entry.destroyed()).isTrue();
            assertThat(entry.revision()).isEqualTo(3);
            try (FieldCipher reader = Fixtures.cipher("dev", keystore, inner, clock)) {
                assertThatThrownBy(() -> reader.decrypt(legacyData, EMAIL)).isInstanceOf(KeyShreddedException.class);
            }
            assertNoWrappedMaterialLeftFor(entry.id());
        }
    }

    @Test
    void compareAndSetLetsOneOfTwoWritersWinAndATombstoneIsFinal() throws Exception {
        DekRepository one = new DirectoryDekRepository(dir.resolve("deks"));
        DekRepository two = new DirectoryDekRepository(dir.resolve("deks"));
        try (HadoopKekProvider keystore = Fixtures.keystoreWith(dir, KEK)) {
            GeneratedDek generated = keystore.generateDek(KEK);
            DekId id = new DekId(42);
            StoredDek first = StoredDek.wrappedByKms(KEK, id, DekScope.DETERMINISTIC, "deterministic", generated.wrapped(),
                    DekKeys.checkValueOf(KEK, id, generated.material()), Instant.parse("2026-12-07T00:00:00Z"));
            one.insert(first);
            WrappedDek again = keystore.rewrapDek(generated.wrapped());
            assertThat(one.compareAndSet(first, first.withWrapped(again))).isTrue();
            assertThat(two.compareAndSet(first, first.withWrapped(again))).as("read revision 1, but 2 exists").isFalse();

            StoredDek second = two.find(KEK, id).orElseThrow();
            assertThat(second.revision()).isEqualTo(2);
            assertThat(two.compareAndSet(second, second.destroyedAt(Instant.now()))).isTrue();
            StoredDek tombstone = one.find(KEK, id).orElseThrow();
            assertThat(tombstone.destroyed()).isTrue();
            assertThatThrownBy(() -> tombstone.withWrapped(again)).isInstanceOf(IllegalStateException.class);
            // Even a writer that forges a live next revision is refused: nothing follows a tombstone.
            StoredDek resurrected = new StoredDek(KEK, id, DekScope.DETERMINISTIC, "deterministic", again, null,
                    DekKeys.checkValueOf(KEK, id, generated.material()), tombstone.originKekVersion(), tombstone.createdAt(),
                    null, tombstone.revision() + 1);
            assertThat(one.compareAndSet(tombstone, resurrected)).isFalse();
            assertThat(two.find(KEK, id).orElseThrow().destroyed()).isTrue();
            assertNoWrappedMaterialLeftFor(id);
        }
    }

    @Test
    void aShredClearsWhatAWriterStoppedMidwayLeftBehind() throws Exception {
        Path kekDir = dir.resolve("deks").resolve(KEK);
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        try (HadoopKekProvider keystore = Fixtures.keystoreWith(dir, KEK)) {
            byte[] data = legacySubjectData(keystore, repository, "customer-3", "secret of 3");
            StoredDek first = repository.findShared(KEK, FieldEncryptionNames.subject("customer-3")).orElseThrow();
            Path revisionOne = kekDir.resolve("dek-" + first.id().hex() + ".properties");
            String materialOfOne = Files.readString(revisionOne);
            keystore.rollKek(KEK);
            assertThat(repository.compareAndSet(first, first.withWrapped(keystore.rewrapDek(first.wrapped())))).isTrue();
            // A re-wrapping process stopped after storing revision 2, before clearing revision 1 and removing its
            // temporary link: both still hold the wrapped key.
            Files.writeString(revisionOne, materialOfOne);
            Files.writeString(kekDir.resolve(".dek-" + first.id().hex() + ".r2.properties.5eed.tmp"), materialOfOne);

            assertThat(Fixtures.admin(keystore, new DirectoryDekRepository(dir.resolve("deks")))
                    .shredSubject(KEK, "customer-3")).isTrue();
            assertNoWrappedMaterialLeftFor(first.id());
            try (FieldCipher reader = Fixtures.cipher("dev", keystore, repository, clock)) {
                assertThatThrownBy(() -> reader.decrypt(data, EMAIL)).isInstanceOf(KeyShreddedException.class);
            }
        }
    }

    @Test
    void aShredReachesAnotherProcessesCacheWhenMadeNotWhenItExpires() throws Exception {
        Path shared = dir.resolve("deks");
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             DekRepository writerRepository = new DirectoryDekRepository(shared);
             DekRepository readerRepository = new DirectoryDekRepository(shared);
             FieldCipher writer = Fixtures.cipher("dev", provider, writerRepository, clock);
             FieldCipher reader = Fixtures.cipher("dev", provider, readerRepository, clock)) {
            byte[] seven = writer.encrypt(utf8("mail-7"), EMAIL, EncryptionMode.RANDOMIZED, "customer-7");
            byte[] eight = writer.encrypt(utf8("mail-8"), EMAIL, EncryptionMode.RANDOMIZED, "customer-8");
            assertThat(reader.decrypt(seven, EMAIL)).isEqualTo(utf8("mail-7")); // now in the reader's cache
            assertThat(((EnvelopeFieldCipher) reader).changesArePushed()).isTrue();

            // Told after the reader's own listener (registered when it was built), so the reader has the news first.
            CountDownLatch pushed = new CountDownLatch(1);
            try (DekRepository.Subscription ignored = readerRepository.subscribe(new DekChangeListener() {
                @Override
                public void changed(String kekName, DekId id) {
                    pushed.countDown();
                }

                @Override
                public void changedAll() {
                    pushed.countDown();
                }
            })) {
                try (DekRepository adminRepository = new DirectoryDekRepository(shared)) {
                    assertThat(Fixtures.admin(provider, adminRepository).shredSubject(KEK, "customer-7")).isTrue();
                }
                // The clock does not move: no cache entry expires. Only the push can make the reader refuse.
                assertThat(pushed.await(5, TimeUnit.SECONDS)).as("the change reached the other process").isTrue();
            }
            assertThatThrownBy(() -> reader.decrypt(seven, EMAIL)).isInstanceOf(KeyShreddedException.class);
            assertThat(reader.decrypt(eight, EMAIL)).isEqualTo(utf8("mail-8"));
        }
    }

    /** A subject key as made before wrapping keys existed (wrapped by the KMS), and one value encrypted under it. */
    private byte[] legacySubjectData(KekProvider kms, DekRepository repository, String subject, String value) {
        GeneratedDek generated = kms.generateDek(KEK);
        DekId id = new DekId(subject.hashCode());
        byte[] material = generated.material();
        repository.insertShared(StoredDek.wrappedByKms(KEK, id, DekScope.SUBJECT, FieldEncryptionNames.subject(subject),
                generated.wrapped(), DekKeys.checkValueOf(KEK, id, material), clock.instant()));
        try (FieldCipher writer = Fixtures.cipher("dev", kms, repository, clock)) {
            byte[] data = writer.encrypt(utf8(value), EMAIL, EncryptionMode.RANDOMIZED, subject);
            assertThat(writer.stats().kmsCalls()).as("the legacy key was used, not a new one").isEqualTo(1);
            return data;
        }
    }

    /** No file of the repository holds wrapped or sealed material for the DEK any more. */
    private void assertNoWrappedMaterialLeftFor(DekId id) throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("deks"))) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("dek-" + id.hex())
                    || f.getFileName().toString().startsWith(".dek-" + id.hex()))::iterator) {
                assertThat(Files.readString(file)).doesNotContain("wrappedKey").doesNotContain("sealedKey");
            }
        }
    }

    /** Names as the cipher stores them. */
    private static final class FieldEncryptionNames {
        static String subject(String subjectId) {
            return SubjectRefs.sharedName(KEK, subjectId);
        }
    }

    /** A KMS on which something happens between a re-wrap's request and its answer. */
    private static final class PausingProvider implements KekProvider {
        private final KekProvider inner;
        private final AtomicReference<Runnable> duringRewrap;
        private final AtomicInteger rewraps = new AtomicInteger();

        PausingProvider(KekProvider inner, AtomicReference<Runnable> duringRewrap) {
            this.inner = inner;
            this.duringRewrap = duringRewrap;
        }

        @Override
        public GeneratedDek generateDek(String kekName) {
            return inner.generateDek(kekName);
        }

        @Override
        public byte[] unwrapDek(WrappedDek wrapped) {
            return inner.unwrapDek(wrapped);
        }

        @Override
        public WrappedDek rewrapDek(WrappedDek wrapped) {
            WrappedDek moved = inner.rewrapDek(wrapped);
            rewraps.incrementAndGet();
            Runnable during = duringRewrap.getAndSet(null);
            if (during != null) {
                during.run();
            }
            return moved;
        }

        @Override
        public String currentVersionName(String kekName) {
            return inner.currentVersionName(kekName);
        }

        @Override
        public List<String> listKekNames() {
            return inner.listKekNames();
        }

        @Override
        public String createKek(String kekName) {
            return inner.createKek(kekName);
        }

        @Override
        public String rollKek(String kekName) {
            return inner.rollKek(kekName);
        }

        @Override
        public void close() {
        }
    }
}
