package io.securelake.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.encryption.Fixtures.MutableClock;
import io.securelake.encryption.core.CiphertextFormat;
import io.securelake.encryption.core.DirectoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.KeyProvider;
import org.apache.hadoop.crypto.key.KeyProviderFactory;
import org.apache.hadoop.security.authorize.AuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation, re-wrap and crypto-shredding against a real keystore and a shared directory repository. */
class LifecycleTest {

    private static final EncryptionContext EMAIL = new EncryptionContext("dev", "payments", "customer.email");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rollingDeksRotateByUseCountAndByAge() {
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher cipher = FieldEncryption.fieldCipher(Fixtures.settings("dev", clock)
                     .withDekRotation(Duration.ofMinutes(5), 3), provider, Fixtures.memoryRepository())) {
            List<byte[]> ciphertexts = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                ciphertexts.add(cipher.encrypt(utf8("v" + i), EMAIL, EncryptionMode.RANDOMIZED));
            }
            assertThat(dekIds(ciphertexts)).hasSize(3);

            byte[] beforeAging = cipher.encrypt(utf8("x"), EMAIL, EncryptionMode.RANDOMIZED);
            clock.advance(Duration.ofMinutes(6));
            byte[] afterAging = cipher.encrypt(utf8("y"), EMAIL, EncryptionMode.RANDOMIZED);
            assertThat(dekIds(List.of(beforeAging, afterAging))).hasSize(2);

            for (int i = 0; i < ciphertexts.size(); i++) {
                assertThat(cipher.decrypt(ciphertexts.get(i), EMAIL)).isEqualTo(utf8("v" + i));
            }
        }
    }

    private static Set<Long> dekIds(List<byte[]> ciphertexts) {
        Set<Long> ids = new HashSet<>();
        ciphertexts.forEach(ct -> ids.add(CiphertextFormat.parse(ct).dekId().value()));
        return ids;
    }

    @Test
    void rollingTheKekSwitchesNewWritesAndRewrapMovesAllDeksWithoutTouchingData() throws IOException {
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        List<byte[]> oldData = new ArrayList<>();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher cipher = Fixtures.cipher("dev", provider, repository, clock)) {
            KeyAdministration admin = Fixtures.admin(provider, repository, cipher);
            oldData.add(cipher.encrypt(utf8("randomized"), EMAIL, EncryptionMode.RANDOMIZED));
            oldData.add(cipher.encrypt(utf8("deterministic"), EMAIL, EncryptionMode.DETERMINISTIC));
            oldData.add(cipher.encrypt(utf8("subject"), EMAIL, EncryptionMode.RANDOMIZED, "customer-1"));
            assertThat(oldData).allSatisfy(ct -> assertThat(CiphertextFormat.parse(ct).kekVersion()).isZero());

            assertThat(admin.rollKek("dev.payments")).isEqualTo("dev.payments@1");
            byte[] newWrite = cipher.encrypt(utf8("after roll"), EMAIL, EncryptionMode.RANDOMIZED);
            assertThat(CiphertextFormat.parse(newWrite).kekVersion()).isEqualTo(1);
            assertThat(repository.find("dev.payments", CiphertextFormat.parse(newWrite).dekId()).orElseThrow()
                    .wrapped().kekVersionName()).isEqualTo("dev.payments@1");
            assertThat(cipher.decrypt(oldData.get(0), EMAIL)).isEqualTo(utf8("randomized"));

            KeyAdministration.RewrapReport report = admin.rewrap("dev.payments");
            assertThat(report.currentVersionName()).isEqualTo("dev.payments@1");
            // The rolling, deterministic and wrapping keys move; the subject key is sealed under the wrapping key.
            assertThat(report.rewrapped()).isEqualTo(3);
            assertThat(report.unchanged()).isEqualTo(1);
            assertThat(report.sealed()).isEqualTo(1);
            assertThat(repository.list("dev.payments")).filteredOn(StoredDek::wrappedByKms).hasSize(4)
                    .allSatisfy(dek -> assertThat(dek.wrapped().kekVersionName()).isEqualTo("dev.payments@1"));
            assertThat(repository.list("dev.payments")).filteredOn(dek -> dek.scope() == DekScope.SUBJECT)
                    .singleElement().satisfies(dek -> assertThat(dek.localWrap()).isNotNull());
        }

        // A reader whose provider refuses version @0 still reads everything: old data no longer needs it.
        Configuration conf = new Configuration();
        KeyProvider keystore = KeyProviderFactory.get(Fixtures.jceksUri(dir.resolve("keks.jceks")), conf);
        try (HadoopKekProvider withoutOldVersion = HadoopKekProvider.wrap(new RetiredVersionProvider(keystore,
                "dev.payments@0"));
             FieldCipher reader = Fixtures.cipher("dev", withoutOldVersion, repository, clock)) {
            assertThat(reader.decrypt(oldData.get(0), EMAIL)).isEqualTo(utf8("randomized"));
            assertThat(reader.decrypt(oldData.get(1), EMAIL)).isEqualTo(utf8("deterministic"));
            assertThat(reader.decrypt(oldData.get(2), EMAIL)).isEqualTo(utf8("subject"));
        }
    }

    /** A provider on which one KEK version has been retired: using it is refused, as a KMS would. */
    private static final class RetiredVersionProvider extends KeyProvider {
        private final KeyProvider delegate;
        private final String retiredVersion;

        RetiredVersionProvider(KeyProvider delegate, String retiredVersion) {
            super(delegate.getConf());
            this.delegate = delegate;
            this.retiredVersion = retiredVersion;
        }

        @Override
        public KeyVersion getKeyVersion(String versionName) throws IOException {
            if (versionName.equals(retiredVersion)) {
                throw new AuthorizationException("version " + versionName + " is retired");
            }
            return delegate.getKeyVersion(versionName);
        }

        @Override
        public List<String> getKeys() throws IOException {
            return delegate.getKeys();
        }

        @Override
        public List<KeyVersion> getKeyVersions(String name) throws IOException {
            return delegate.getKeyVersions(name);
        }

        @Override
        public Metadata getMetadata(String name) throws IOException {
            return delegate.getMetadata(name);
        }

        @Override
        public KeyVersion createKey(String name, byte[] material, Options options) throws IOException {
            return delegate.createKey(name, material, options);
        }

        @Override
        public void deleteKey(String name) throws IOException {
            delegate.deleteKey(name);
        }

        @Override
        public KeyVersion rollNewVersion(String name, byte[] material) throws IOException {
            return delegate.rollNewVersion(name, material);
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }
    }

    @Test
    void shreddingOneSubjectAmongManyLeavesEveryoneElseReadable() {
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        int subjects = 50;
        List<byte[]> randomized = new ArrayList<>();
        List<byte[]> deterministic = new ArrayList<>();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock);
             FieldCipher otherProcess = Fixtures.cipher("dev", provider, Fixtures.withoutPush(repository), clock)) {
            for (int s = 0; s < subjects; s++) {
                randomized.add(writer.encrypt(utf8("mail-" + s), EMAIL, EncryptionMode.RANDOMIZED, "customer-" + s));
                deterministic.add(writer.encrypt(utf8("id-" + s), EMAIL, EncryptionMode.DETERMINISTIC,
                        "customer-" + s));
            }
            // The other process has read subject 7 before the erasure, so its key is in that process's cache.
            assertThat(otherProcess.decrypt(randomized.get(7), EMAIL)).isEqualTo(utf8("mail-7"));

            KeyAdministration admin = Fixtures.admin(provider, repository, writer);
            assertThat(admin.shredSubject("dev.payments", "customer-7")).isTrue();
            assertThat(admin.shredSubject("dev.payments", "customer-7")).isFalse();

            for (FieldCipher reader : List.of(writer, Fixtures.cipher("dev", provider, repository, clock))) {
                for (int s = 0; s < subjects; s++) {
                    int subject = s;
                    if (s == 7) {
                        assertThatThrownBy(() -> reader.decrypt(randomized.get(subject), EMAIL))
                                .isInstanceOf(KeyShreddedException.class).hasMessageContaining("dev.payments");
                        assertThatThrownBy(() -> reader.decrypt(deterministic.get(subject), EMAIL))
                                .isInstanceOf(KeyShreddedException.class);
                    } else {
                        assertThat(reader.decrypt(randomized.get(s), EMAIL)).isEqualTo(utf8("mail-" + s));
                        assertThat(reader.decrypt(deterministic.get(s), EMAIL)).isEqualTo(utf8("id-" + s));
                    }
                }
            }
            assertThatThrownBy(() -> writer.encrypt(utf8("new"), EMAIL, EncryptionMode.RANDOMIZED, "customer-7"))
                    .isInstanceOf(KeyShreddedException.class);

            // A running process whose repository cannot push changes keeps its cached key until the cache TTL
            // (pushed changes: core.KeyHierarchyTest).
            assertThat(otherProcess.decrypt(randomized.get(7), EMAIL)).isEqualTo(utf8("mail-7"));
            clock.advance(EncryptionSettings.defaults("dev").dekCacheTtl().plusSeconds(1));
            assertThatThrownBy(() -> otherProcess.decrypt(randomized.get(7), EMAIL))
                    .isInstanceOf(KeyShreddedException.class);
            assertThat(otherProcess.decrypt(randomized.get(8), EMAIL)).isEqualTo(utf8("mail-8"));
        }
        assertThat(repository.list("dev.payments")).filteredOn(StoredDek::destroyed).hasSize(1)
                .allSatisfy(dek -> {
                    assertThat(dek.wrapped()).isNull();
                    assertThat(dek.checkValue()).isNull();
                });
    }

    @Test
    void aSubjectShreddedRightAfterItsLastRecordIsRefusedAtOnce() {
        // The writing thread remembers the subject key of its last record; erasure must not wait for that.
        DekRepository repository = new DirectoryDekRepository(dir.resolve("deks"));
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher writer = Fixtures.cipher("dev", provider, repository, clock)) {
            writer.encrypt(utf8("mail"), EMAIL, EncryptionMode.RANDOMIZED, "customer-7");
            writer.encrypt(utf8("id"), EMAIL, EncryptionMode.DETERMINISTIC, "customer-7");
            assertThat(Fixtures.admin(provider, repository, writer).shredSubject("dev.payments", "customer-7")).isTrue();
            for (EncryptionMode mode : EncryptionMode.values()) {
                assertThatThrownBy(() -> writer.encrypt(utf8("again"), EMAIL, mode, "customer-7"))
                        .isInstanceOf(KeyShreddedException.class);
            }
            assertThat(writer.decrypt(writer.encrypt(utf8("other"), EMAIL, EncryptionMode.RANDOMIZED, "customer-8"),
                    EMAIL)).isEqualTo(utf8("other"));
        }
    }

    @Test
    void aKeyReadJustBeforeItsSubjectIsShreddedIsNotCachedPastTheShredding() {
        // The race, made deterministic: the cipher has read the subject's (still intact) DEK from the repository
        // when the shredding completes. That one encryption may finish; the key must not stay cached after it.
        DekRepository inner = new DirectoryDekRepository(dir.resolve("deks"));
        java.util.concurrent.atomic.AtomicReference<Runnable> duringRead = new java.util.concurrent.atomic.AtomicReference<>();
        DekRepository racing = new Fixtures.Delegating(inner) {
            @Override
            public java.util.Optional<StoredDek> findShared(String kekName, String sharedName) {
                java.util.Optional<StoredDek> read = inner.findShared(kekName, sharedName);
                Runnable shred = duringRead.getAndSet(null);
                if (shred != null) {
                    shred.run();
                }
                return read;
            }
        };
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher writer = Fixtures.cipher("dev", provider, racing, clock)) {
            try (FieldCipher setup = Fixtures.cipher("dev", provider, inner, clock)) {
                setup.encrypt(utf8("first"), EMAIL, EncryptionMode.RANDOMIZED, "customer-9"); // the subject's DEK exists
            }
            KeyAdministration admin = Fixtures.admin(provider, inner, writer);
            duringRead.set(() -> assertThat(admin.shredSubject("dev.payments", "customer-9")).isTrue());
            writer.encrypt(utf8("in flight"), EMAIL, EncryptionMode.RANDOMIZED, "customer-9");
            assertThat(duringRead.get()).as("the shredding ran during the read").isNull();
            for (EncryptionMode mode : EncryptionMode.values()) {
                assertThatThrownBy(() -> writer.encrypt(utf8("after"), EMAIL, mode, "customer-9"))
                        .isInstanceOf(KeyShreddedException.class);
            }
        }
    }

    @Test
    void moreSubjectsThanAThreadKeepsEnginesForStillEncryptTheSame() {
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher cipher = FieldEncryption.fieldCipher(Fixtures.settings("dev", clock).withKeysPerThread(2),
                     provider, Fixtures.memoryRepository())) {
            Map<String, byte[]> first = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (int s = 0; s < 10; s++) {
                    String subject = "customer-" + s;
                    byte[] deterministic = cipher.encrypt(utf8("card-" + s), EMAIL, EncryptionMode.DETERMINISTIC, subject);
                    byte[] dataset = cipher.encrypt(utf8("card-" + s), EMAIL, EncryptionMode.DETERMINISTIC);
                    byte[] randomized = cipher.encrypt(utf8("mail-" + s), EMAIL, EncryptionMode.RANDOMIZED, subject);
                    if (round == 0) {
                        first.put(subject, deterministic);
                        first.put("dataset-" + s, dataset);
                    }
                    // Engines evicted and rebuilt between rounds: equal values still encrypt equally.
                    assertThat(deterministic).isEqualTo(first.get(subject));
                    assertThat(dataset).isEqualTo(first.get("dataset-" + s));
                    assertThat(cipher.decrypt(deterministic, EMAIL)).isEqualTo(utf8("card-" + s));
                    assertThat(cipher.decrypt(randomized, EMAIL)).isEqualTo(utf8("mail-" + s));
                }
            }
        }
    }

    @Test
    void subjectKeysAreSeparateFromTheDatasetKeys() {
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments");
             FieldCipher cipher = Fixtures.cipher("dev", provider, Fixtures.memoryRepository(), clock)) {
            byte[] a = cipher.encrypt(utf8("same"), EMAIL, EncryptionMode.DETERMINISTIC, "a");
            byte[] b = cipher.encrypt(utf8("same"), EMAIL, EncryptionMode.DETERMINISTIC, "b");
            byte[] none = cipher.encrypt(utf8("same"), EMAIL, EncryptionMode.DETERMINISTIC);
            assertThat(dekIds(List.of(a, b, none))).hasSize(3);
            assertThat(cipher.encrypt(utf8("same"), EMAIL, EncryptionMode.DETERMINISTIC, "a")).isEqualTo(a);
        }
    }
}
