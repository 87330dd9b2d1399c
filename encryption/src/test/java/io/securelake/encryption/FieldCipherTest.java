package io.securelake.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.encryption.Fixtures.MutableClock;
import io.securelake.encryption.core.CiphertextFormat;
import io.securelake.encryption.keys.AllowListKeyProvider;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.KeyProvider;
import org.apache.hadoop.crypto.key.KeyProviderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FieldCipherTest {

    private static final EncryptionContext EMAIL = new EncryptionContext("dev", "payments", "customer.email");
    private static final byte[] SECRET = "alice@example.com".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private HadoopKekProvider provider;
    private DekRepository repository;
    private FieldCipher cipher;

    @BeforeEach
    void setUp() {
        provider = Fixtures.keystoreWith(dir, "dev.payments", "dev.orders", "prod.payments");
        repository = Fixtures.memoryRepository();
        cipher = Fixtures.cipher("dev", provider, repository, clock);
    }

    @AfterEach
    void tearDown() {
        cipher.close();
        provider.close();
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void roundTripsAllLengthsIncludingEmpty(EncryptionMode mode) {
        for (int length : new int[] {0, 1, 15, 16, 17, 31, 32, 64, 1024, 70_000}) {
            byte[] plaintext = new byte[length];
            for (int i = 0; i < length; i++) {
                plaintext[i] = (byte) (i * 31 + 7);
            }
            byte[] ciphertext = cipher.encrypt(plaintext, EMAIL, mode);
            assertThat(cipher.decrypt(ciphertext, EMAIL)).isEqualTo(plaintext);
            assertThat(ciphertext.length).isEqualTo(length + overhead(ciphertext));
        }
    }

    private static int overhead(byte[] ciphertext) {
        CiphertextFormat.Header header = CiphertextFormat.parse(ciphertext);
        return header.length() + CiphertextFormat.bodyOverhead(header.mode());
    }

    @Test
    void randomizedModeHidesEqualityDeterministicModeKeepsItPerField() {
        assertThat(cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED))
                .isNotEqualTo(cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED));
        byte[] first = cipher.encrypt(SECRET, EMAIL, EncryptionMode.DETERMINISTIC);
        assertThat(cipher.encrypt(SECRET, EMAIL, EncryptionMode.DETERMINISTIC)).isEqualTo(first);
        // Another cipher instance (another writer) shares the dataset's deterministic DEK.
        try (FieldCipher otherWriter = Fixtures.cipher("dev", provider, repository, clock)) {
            assertThat(otherWriter.encrypt(SECRET, EMAIL, EncryptionMode.DETERMINISTIC)).isEqualTo(first);
        }
        // The field path is authenticated data, so the same value differs in another field.
        assertThat(cipher.encrypt(SECRET, EMAIL.withFieldPath("customer.backup_email"), EncryptionMode.DETERMINISTIC))
                .isNotEqualTo(first);
    }

    @Test
    void headerDescribesKekDekAndModeAndTextFormIsUrlSafe() {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED);
        CiphertextFormat.Header header = CiphertextFormat.parse(ciphertext);
        assertThat(header.version()).isEqualTo(1);
        assertThat(header.kekName()).isEqualTo("dev.payments");
        assertThat(header.kekVersion()).isZero();
        assertThat(header.mode()).isEqualTo(EncryptionMode.RANDOMIZED);
        assertThat(repository.find("dev.payments", header.dekId())).isPresent();

        String text = cipher.encryptToText(SECRET, EMAIL, EncryptionMode.DETERMINISTIC, null);
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(cipher.decryptText(text, EMAIL)).isEqualTo(SECRET);
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void everySingleByteFlipIsDetected(EncryptionMode mode) {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, mode);
        int headerLength = CiphertextFormat.parse(ciphertext).length();
        for (int position = 0; position < ciphertext.length; position++) {
            for (int mask : new int[] {0x01, 0x80, 0xff}) {
                byte[] tampered = ciphertext.clone();
                tampered[position] ^= (byte) mask;
                Throwable failure = catchThrowable(() -> cipher.decrypt(tampered, EMAIL));
                assertThat(failure).as("flip 0x%02x at byte %d", mask, position)
                        .isInstanceOf(FieldEncryptionException.class);
                if (position >= headerLength) {
                    assertThat(failure).isInstanceOf(AuthenticationFailedException.class);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EncryptionMode.class)
    void everyTruncationAndExtensionIsDetected(EncryptionMode mode) {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, mode);
        for (int length = 0; length < ciphertext.length; length++) {
            byte[] truncated = java.util.Arrays.copyOf(ciphertext, length);
            assertThat(catchThrowable(() -> cipher.decrypt(truncated, EMAIL))).as("truncated to %d", length)
                    .isInstanceOfAny(MalformedCiphertextException.class, AuthenticationFailedException.class);
        }
        byte[] extended = java.util.Arrays.copyOf(ciphertext, ciphertext.length + 1);
        assertThatThrownBy(() -> cipher.decrypt(extended, EMAIL)).isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void unknownFormatVersionAndClearTextAreRejectedNotPassedThrough() {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED);
        ciphertext[0] = 2;
        assertThatThrownBy(() -> cipher.decrypt(ciphertext, EMAIL))
                .isInstanceOf(UnsupportedFormatVersionException.class).hasMessageContaining("version 2");
        assertThatThrownBy(() -> cipher.decrypt(SECRET, EMAIL)).isInstanceOf(UnsupportedFormatVersionException.class);
        assertThatThrownBy(() -> cipher.decryptText("alice@example.com", EMAIL))
                .isInstanceOf(MalformedCiphertextException.class);
        assertThatThrownBy(() -> cipher.decrypt(new byte[0], EMAIL)).isInstanceOf(MalformedCiphertextException.class);
    }

    @Test
    void ciphertextCopiedToAnotherFieldDatasetOrEnvironmentFailsDistinctly() {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED);
        byte[] deterministic = cipher.encrypt(SECRET, EMAIL, EncryptionMode.DETERMINISTIC);

        for (byte[] ct : new byte[][] {ciphertext, deterministic}) {
            assertThatThrownBy(() -> cipher.decrypt(ct, EMAIL.withFieldPath("customer.name")))
                    .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("customer.name");
            assertThatThrownBy(() -> cipher.decrypt(ct, new EncryptionContext("dev", "orders", "customer.email")))
                    .isInstanceOf(DatasetMismatchException.class).hasMessageContaining("dev.payments");
        }

        // A prod reader with its own (empty) repository: the header check fires before any key lookup,
        // otherwise this would be a DekNotFoundException.
        try (FieldCipher prod = Fixtures.cipher("prod", provider, Fixtures.memoryRepository(), clock)) {
            EncryptionContext prodEmail = new EncryptionContext("prod", "payments", "customer.email");
            assertThatThrownBy(() -> prod.decrypt(ciphertext, prodEmail))
                    .isInstanceOf(EnvironmentMismatchException.class)
                    .hasMessageContaining("'dev.payments'").hasMessageContaining("'prod'");
            assertThat(prod.stats().kmsCalls()).isZero();
            assertThatThrownBy(() -> prod.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED))
                    .isInstanceOf(EnvironmentMismatchException.class);
        }
    }

    @Test
    void missingKekIsNamed() {
        EncryptionContext noKek = new EncryptionContext("dev", "hr", "salary");
        assertThatThrownBy(() -> cipher.encrypt(SECRET, noKek, EncryptionMode.RANDOMIZED))
                .isInstanceOfSatisfying(KekNotFoundException.class, e -> assertThat(e.keyName()).isEqualTo("dev.hr"))
                .hasMessageContaining("dev.hr");
        assertThatThrownBy(() -> cipher.encrypt(SECRET, noKek, EncryptionMode.DETERMINISTIC))
                .isInstanceOf(KekNotFoundException.class);
    }

    @Test
    void kekTheCallerMayNotUseIsAccessDeniedNamingTheKey() throws Exception {
        byte[] orders = cipher.encrypt(SECRET, new EncryptionContext("dev", "orders", "x"), EncryptionMode.RANDOMIZED);
        Configuration conf = new Configuration();
        KeyProvider keystore = KeyProviderFactory.get(Fixtures.jceksUri(dir.resolve("keks.jceks")), conf);
        try (HadoopKekProvider paymentsOnly = HadoopKekProvider.wrap(
                new AllowListKeyProvider(keystore, Set.of("dev.payments"), "etl-payments"));
             FieldCipher restricted = Fixtures.cipher("dev", paymentsOnly, repository, clock)) {
            assertThat(restricted.decrypt(cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED), EMAIL))
                    .isEqualTo(SECRET);
            EncryptionContext ordersContext = new EncryptionContext("dev", "orders", "x");
            assertThatThrownBy(() -> restricted.encrypt(SECRET, ordersContext, EncryptionMode.RANDOMIZED))
                    .isInstanceOfSatisfying(KeyAccessDeniedException.class,
                            e -> assertThat(e.keyName()).isEqualTo("dev.orders"))
                    .hasMessageContaining("dev.orders").hasMessageContaining("etl-payments");
            assertThatThrownBy(() -> restricted.decrypt(orders, ordersContext))
                    .isInstanceOf(KeyAccessDeniedException.class).hasMessageContaining("dev.orders@0");
        }
    }

    @Test
    void sameKekNameWithOtherMaterialIsWrongKey() {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED);
        Path otherDir = dir.resolve("other");
        try (HadoopKekProvider otherKeystore = Fixtures.keystoreWith(otherDir.toFile().mkdirs() ? otherDir : otherDir,
                "dev.payments");
             FieldCipher reader = Fixtures.cipher("dev", otherKeystore, repository, clock)) {
            assertThatThrownBy(() -> reader.decrypt(ciphertext, EMAIL))
                    .isInstanceOf(WrongKeyException.class).hasMessageContaining("dev.payments@0");
        }
    }

    @Test
    void unknownDekReferenceIsDekNotFound() {
        byte[] ciphertext = cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED);
        try (FieldCipher reader = Fixtures.cipher("dev", provider, Fixtures.memoryRepository(), clock)) {
            assertThatThrownBy(() -> reader.decrypt(ciphertext, EMAIL))
                    .isInstanceOf(DekNotFoundException.class).hasMessageContaining("dev.payments");
        }
    }

    @Test
    void kekShorterThan256BitsIsRefused() {
        Configuration conf = new Configuration();
        try {
            KeyProvider keystore = KeyProviderFactory.get(Fixtures.jceksUri(dir.resolve("keks.jceks")), conf);
            keystore.createKey("dev.legacy", KeyProvider.options(conf).setBitLength(128));
            keystore.flush();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        try (HadoopKekProvider reopened = Fixtures.jceks(dir.resolve("keks.jceks"));
             FieldCipher legacy = Fixtures.cipher("dev", reopened, repository, clock)) {
            assertThatThrownBy(() -> legacy.encrypt(SECRET, new EncryptionContext("dev", "legacy", "f"),
                    EncryptionMode.RANDOMIZED))
                    .isInstanceOf(KeyProviderException.class).hasMessageContaining("256-bit");
        }
    }

    @Test
    void dekCacheKeepsKmsCallsRareAndExpires() {
        int fields = 200_000;
        Set<Long> dekIds = new HashSet<>();
        for (int i = 0; i < fields / 2; i++) {
            byte[] ct = cipher.encrypt(SECRET, EMAIL, (i & 1) == 0 ? EncryptionMode.RANDOMIZED : EncryptionMode.DETERMINISTIC);
            cipher.decrypt(ct, EMAIL);
            if (i % 1000 < 2) {
                dekIds.add(CiphertextFormat.parse(ct).dekId().value());
            }
        }
        CipherStats stats = cipher.stats();
        // Two DEKs (one rolling, one deterministic): one provider call each, for 200,000 fields.
        assertThat(dekIds).hasSize(2);
        assertThat(stats.kmsCalls()).isEqualTo(2);
        assertThat(stats.kmsCallsPerMillionFields()).isEqualTo(10.0);

        try (FieldCipher reader = Fixtures.cipher("dev", provider, repository, clock)) {
            byte[] ct = cipher.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED);
            for (int i = 0; i < 1000; i++) {
                reader.decrypt(ct, EMAIL);
            }
            assertThat(reader.stats().kmsCalls()).isEqualTo(1);
            assertThat(reader.stats().dekCacheHits()).isEqualTo(999);
            clock.advance(EncryptionSettings.defaults("dev").dekCacheTtl().plusSeconds(1));
            reader.decrypt(ct, EMAIL);
            assertThat(reader.stats().kmsCalls()).isEqualTo(2);
        }
    }

    @Test
    void closedCipherRefusesWork() {
        FieldCipher closing = FieldEncryption.fieldCipher(Fixtures.settings("dev", clock), provider, repository);
        closing.close();
        assertThatThrownBy(() -> closing.encrypt(SECRET, EMAIL, EncryptionMode.RANDOMIZED))
                .isInstanceOf(IllegalStateException.class).hasMessage("field cipher is closed");
    }

    @Test
    void contextValidatesItsParts() {
        assertThatThrownBy(() -> new EncryptionContext("dev.x", "payments", "f")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("environment must match ").hasMessageEndingWith(": 'dev.x'");
        assertThatThrownBy(() -> new EncryptionContext("dev", "", "f")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dataset must match ").hasMessageEndingWith(": ''");
        assertThat(new EncryptionContext("dev", "payments", "a.b").kekName()).isEqualTo("dev.payments");
        assertThat(Map.of()).isEmpty();
    }
}
