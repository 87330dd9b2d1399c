package io.securelake.tests.keys;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.encryption.CipherStats;
import io.securelake.encryption.DatasetMismatchException;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.EnvironmentMismatchException;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.KeyAccessDeniedException;
import io.securelake.encryption.core.DirectoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.envs.ServiceRole;
import io.securelake.operations.keys.LocalKeyStores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Field encryption over the environment's real Hadoop KMS ({@code kms://https@localhost:…/kms}, SPNEGO,
 * per-key ACLs): the ingest service encrypts and decrypts, ETL only decrypts, an analyst is refused by the
 * KMS, and ciphertexts never cross environments or datasets.
 */
@ExtendWith(LiveDevStack.Extension.class)
class FieldCipherOverKmsTest {
    static LiveDevStack dev;
    static URI kmsUri;
    static Map<String, String> kmsSettings;
    static UserGroupInformation ingest;
    static UserGroupInformation etl;
    static UserGroupInformation alice;
    static final EncryptionContext PAN = new EncryptionContext("dev", "payments", "card.pan");
    static final EncryptionContext EMAIL = new EncryptionContext("dev", "payments", "customer.email");

    @BeforeAll
    static void logins(LiveDevStack stack) {
        dev = stack;
        kmsUri = LocalKeyStores.kmsUri(dev.endpoints());
        kmsSettings = LocalKeyStores.kmsClientSettings(dev.endpoints());
        ingest = dev.login(dev.env.names().servicePrincipal(ServiceRole.INGEST));
        etl = dev.login(dev.env.names().servicePrincipal(ServiceRole.ETL));
        alice = dev.login("alice");
    }

    @FunctionalInterface
    interface CipherWork<T> {
        T run(FieldCipher cipher) throws Exception;
    }

    /** A fresh cipher (empty DEK cache) over HadoopKekProvider on the kms:// URI, used as {@code user}. */
    static <T> T with(UserGroupInformation user, DekRepository repo, CipherWork<T> work) throws Exception {
        return LiveDevStack.as(user, () -> {
            try (HadoopKekProvider kek = HadoopKekProvider.open(kmsUri, kmsSettings);
                 FieldCipher cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("dev"), kek, repo)) {
                return work.run(cipher);
            }
        });
    }

    /** A key directory of these tests' own, outside the stack home (whose keys live in the registry on Kafka). */
    static DekRepository repo() {
        return FieldEncryption.directoryRepository(dev.projectDir.resolve("field-cipher-test-deks"));
    }

    @Test
    void ingestEncryptsAndDecryptsEtlOnlyDecrypts() throws Exception {
        byte[] pan = "4111111111111111".getBytes(UTF_8);
        List<String> written = with(ingest, repo(), c -> {
            String randomized = c.encryptToText(pan, PAN, EncryptionMode.RANDOMIZED, null);
            String deterministic = c.encryptToText("a@example.com".getBytes(UTF_8), EMAIL, EncryptionMode.DETERMINISTIC, null);
            String subject = c.encryptToText(pan, PAN, EncryptionMode.RANDOMIZED, "customer-42");
            assertThat(c.decryptText(randomized, PAN)).isEqualTo(pan);
            assertThat(c.decryptText(subject, PAN)).isEqualTo(pan);
            assertThat(c.encryptToText("a@example.com".getBytes(UTF_8), EMAIL, EncryptionMode.DETERMINISTIC, null))
                    .as("deterministic: equal values, equal ciphertexts").isEqualTo(deterministic);
            return List.of(randomized, deterministic, subject);
        });
        with(etl, repo(), c -> {
            assertThat(c.decryptText(written.get(0), PAN)).isEqualTo(pan);
            assertThat(new String(c.decryptText(written.get(1), EMAIL), UTF_8)).isEqualTo("a@example.com");
            assertThat(c.decryptText(written.get(2), PAN)).isEqualTo(pan);
            // A new randomized DEK needs GENERATE_EEK, which ETL lacks.
            Throwable t = catchThrowable(() -> c.encrypt(pan, PAN, EncryptionMode.RANDOMIZED));
            assertThat(t).isInstanceOf(KeyAccessDeniedException.class).hasMessageContaining("dev.payments")
                    .hasMessageContaining("GENERATE_EEK");
            assertThat(((KeyAccessDeniedException) t).keyName()).isEqualTo("dev.payments");
            return null;
        });
    }

    @Test
    void anAnalystIsRefusedByTheKmsNamingTheKey() throws Exception {
        byte[] pan = "5500000000000004".getBytes(UTF_8);
        String ciphertext = with(ingest, repo(), c -> c.encryptToText(pan, PAN, EncryptionMode.RANDOMIZED, null));
        with(alice, repo(), c -> {
            Throwable decrypt = catchThrowable(() -> c.decryptText(ciphertext, PAN));
            assertThat(decrypt).isInstanceOf(KeyAccessDeniedException.class)
                    .hasMessageContaining("alice").hasMessageContaining("DECRYPT_EEK");
            assertThat(((KeyAccessDeniedException) decrypt).keyName()).startsWith("dev.payments@");
            Throwable encrypt = catchThrowable(() -> c.encrypt(pan, PAN, EncryptionMode.RANDOMIZED));
            assertThat(encrypt).isInstanceOf(KeyAccessDeniedException.class).hasMessageContaining("alice");
            assertThat(((KeyAccessDeniedException) encrypt).keyName()).isEqualTo("dev.payments");
            return null;
        });
    }

    @Test
    void ciphertextsOfAnotherEnvironmentOrDatasetAreRefused(@TempDir Path tmp) throws Exception {
        // A genuine prod ciphertext: prod's KEK in a Hadoop keystore file stands in for prod's own KMS.
        URI prodKeystore = URI.create("jceks://file" + tmp.resolve("prod-keks.jceks").toAbsolutePath());
        String prodCiphertext;
        try (HadoopKekProvider prodKeks = HadoopKekProvider.open(prodKeystore, Map.of());
             FieldCipher prod = FieldEncryption.fieldCipher(EncryptionSettings.defaults("prod"), prodKeks,
                     new DirectoryDekRepository(Files.createDirectories(tmp.resolve("prod-deks"))))) {
            prodKeks.createKek("prod.payments");
            prodCiphertext = prod.encryptToText("4111111111111111".getBytes(UTF_8),
                    new EncryptionContext("prod", "payments", "card.pan"), EncryptionMode.RANDOMIZED, null);
        }
        String devCiphertext = with(ingest, repo(), c ->
                c.encryptToText("x".getBytes(UTF_8), PAN, EncryptionMode.RANDOMIZED, null));
        with(ingest, repo(), c -> {
            assertThat(catchThrowable(() -> c.decryptText(prodCiphertext, PAN)))
                    .isInstanceOf(EnvironmentMismatchException.class).hasMessageContaining("prod");
            assertThat(catchThrowable(() -> c.decryptText(devCiphertext,
                    new EncryptionContext("dev", "customer_preferences", "card.pan"))))
                    .isInstanceOf(DatasetMismatchException.class);
            return null;
        });
    }

    /**
     * KMS calls per million fields: 200,000 fields (half randomized, half deterministic) written by the
     * ingest service and read back by a fresh ETL process, then a subject-keyed run.
     */
    @Test
    void kmsCallsPerMillionFields(@TempDir Path tmp) throws Exception {
        int fields = 200_000;
        DekRepository repo = new DirectoryDekRepository(tmp.resolve("deks"));
        List<String> ciphertexts = new ArrayList<>(fields);
        long t0 = System.nanoTime();
        CipherStats writer = with(ingest, repo, c -> {
            for (int i = 0; i < fields; i++) {
                byte[] value = ("4111-" + i).getBytes(UTF_8);
                ciphertexts.add(c.encryptToText(value, i % 2 == 0 ? PAN : EMAIL,
                        i % 2 == 0 ? EncryptionMode.RANDOMIZED : EncryptionMode.DETERMINISTIC, null));
            }
            return c.stats();
        });
        long t1 = System.nanoTime();
        CipherStats reader = with(etl, repo, c -> {
            for (int i = 0; i < fields; i++) {
                assertThat(c.decryptText(ciphertexts.get(i), i % 2 == 0 ? PAN : EMAIL)).hasSize(("4111-" + i).length());
            }
            return c.stats();
        });
        long t2 = System.nanoTime();

        int subjects = 1_000;
        int subjectFields = 20_000;
        DekRepository subjectRepo = new DirectoryDekRepository(tmp.resolve("subject-deks"));
        List<String> subjectCiphertexts = new ArrayList<>(subjectFields);
        CipherStats subjectWriter = with(ingest, subjectRepo, c -> {
            for (int i = 0; i < subjectFields; i++) {
                subjectCiphertexts.add(c.encryptToText(("v" + i).getBytes(UTF_8), PAN, EncryptionMode.RANDOMIZED,
                        "customer-" + (i % subjects)));
            }
            return c.stats();
        });
        CipherStats subjectReader = with(etl, subjectRepo, c -> {
            for (String ct : subjectCiphertexts) {
                c.decryptText(ct, PAN);
            }
            return c.stats();
        });

        String report = String.format(
                "KMS calls per million fields over the live KMS:%n"
                        + "  no subject, %,d fields written (50%% randomized, 50%% deterministic): %d KMS calls = %.1f per million (%.1f s)%n"
                        + "  no subject, %,d fields read by a fresh ETL cipher: %d KMS calls = %.1f per million (%.1f s)%n"
                        + "  subject-keyed, %,d fields over %,d subjects written: %d KMS calls = %.0f per million%n"
                        + "  subject-keyed, %,d fields read: %d KMS calls = %.0f per million%n",
                fields, writer.kmsCalls(), writer.kmsCallsPerMillionFields(), (t1 - t0) / 1e9,
                fields, reader.kmsCalls(), reader.kmsCallsPerMillionFields(), (t2 - t1) / 1e9,
                subjectFields, subjects, subjectWriter.kmsCalls(), subjectWriter.kmsCallsPerMillionFields(),
                subjectFields, subjectReader.kmsCalls(), subjectReader.kmsCallsPerMillionFields());
        System.out.print(report);
        Files.writeString(Path.of("target", "keys-kms-calls.txt"), report);

        // One rolling and one deterministic DEK per KEK for the writer; one unwrap each for the reader.
        assertThat(writer.kmsCalls()).isBetween(1L, 4L);
        assertThat(reader.kmsCalls()).isBetween(1L, 4L);
        assertThat(writer.kmsCallsPerMillionFields()).isLessThan(25);
        // Per-subject keys are sealed under the dataset's wrapping key: one KMS call per side, whatever the subjects.
        assertThat(subjectWriter.kmsCalls()).isEqualTo(1);
        assertThat(subjectReader.kmsCalls()).isEqualTo(1);
    }
}
