package io.securelake.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.encryption.Fixtures.MutableClock;
import io.securelake.encryption.core.CiphertextFormat;
import io.securelake.encryption.core.DirectoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {

    @TempDir
    Path dir;

    @Test
    void manyThreadsEncryptAndDecryptWhileDeksRotate() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        Set<Long> dekIds = ConcurrentHashMap.newKeySet();
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, "dev.payments", "dev.orders");
             FieldCipher cipher = FieldEncryption.fieldCipher(Fixtures.settings("dev", new MutableClock())
                     .withDekRotation(Duration.ofHours(1), 500), provider,
                     new DirectoryDekRepository(dir.resolve("deks")))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int verified = 0;
                    for (int i = 0; i < perThread; i++) {
                        EncryptionContext context = new EncryptionContext("dev", (i & 1) == 0 ? "payments" : "orders",
                                "f" + (i % 3));
                        EncryptionMode mode = i % 3 == 0 ? EncryptionMode.DETERMINISTIC : EncryptionMode.RANDOMIZED;
                        String subject = i % 5 == 0 ? "subject-" + (i % 20) : null;
                        byte[] plaintext = ("t" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
                        byte[] ciphertext = cipher.encrypt(plaintext, context, mode, subject);
                        if (i % 100 == 1) {
                            dekIds.add(CiphertextFormat.parse(ciphertext).dekId().value());
                        }
                        assertThat(cipher.decrypt(ciphertext, context)).isEqualTo(plaintext);
                        verified++;
                    }
                    return verified;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            assertThat(total).isEqualTo(threads * perThread);
            // ~4,300 rolling-mode writes to dev.orders at 500 uses per DEK: several rotations happened under contention.
            assertThat(dekIds.size()).isGreaterThan(4);
            CipherStats stats = cipher.stats();
            assertThat(stats.fieldsEncrypted()).isEqualTo(threads * perThread);
            assertThat(stats.fieldsDecrypted()).isEqualTo(threads * perThread);
        }
    }
}
