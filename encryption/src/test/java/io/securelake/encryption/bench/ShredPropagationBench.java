package io.securelake.encryption.bench;

import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.KeyAdministration;
import io.securelake.encryption.KeyShreddedException;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * Shred to unreadable: how long after {@code shredSubject} returns a reader with its own repository instance and key
 * cache (its own change subscription, as another process on the host has) refuses a value of that subject whose key it
 * had cached. Each round: the reader reads the subject's value (key cached), an administrator shreds the subject
 * through a third repository instance, the reader tries again until refused. Prints p50, p99 and the maximum.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat /tmp/enc.cp) io.securelake.encryption.bench.ShredPropagationBench [rounds]</pre>
 */
public final class ShredPropagationBench {

    private static final EncryptionContext EMAIL = new EncryptionContext("bench", "events", "customer.email");

    private ShredPropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "shred-bench");
        Path deks = dir.resolve("deks");
        long[] micros = new long[rounds];
        try (HadoopKekProvider provider = HadoopKekProvider.open(URI.create("jceks://file" + dir.resolve("keks.jceks")), Map.of());
             DekRepository writerRepository = FieldEncryption.directoryRepository(deks);
             DekRepository readerRepository = FieldEncryption.directoryRepository(deks);
             DekRepository adminRepository = FieldEncryption.directoryRepository(deks);
             FieldCipher writer = FieldEncryption.fieldCipher(EncryptionSettings.defaults("bench"), provider, writerRepository);
             FieldCipher reader = FieldEncryption.fieldCipher(EncryptionSettings.defaults("bench"), provider, readerRepository)) {
            provider.createKek("bench.events");
            KeyAdministration admin = FieldEncryption.keyAdministration(provider, adminRepository, Clock.systemUTC());
            for (int round = 0; round < rounds; round++) {
                String subject = "customer-" + round;
                byte[] value = writer.encrypt("mail".getBytes(StandardCharsets.UTF_8), EMAIL, EncryptionMode.RANDOMIZED, subject);
                reader.decrypt(value, EMAIL); // cached in the reader from now on
                if (!admin.shredSubject("bench.events", subject)) {
                    throw new IllegalStateException("nothing shredded for " + subject);
                }
                long shredded = System.nanoTime();
                while (true) {
                    try {
                        reader.decrypt(value, EMAIL);
                    } catch (KeyShreddedException refused) {
                        micros[round] = (System.nanoTime() - shredded) / 1_000;
                        break;
                    }
                    if (System.nanoTime() - shredded > 30_000_000_000L) {
                        throw new IllegalStateException("the reader still decrypts " + subject + " 30 s after its shred");
                    }
                    Thread.onSpinWait();
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Arrays.sort(micros);
        System.out.printf("shred to unreadable in another cache, %d rounds: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", rounds,
                micros[rounds / 2] / 1000.0, micros[Math.min(rounds - 1, rounds * 99 / 100)] / 1000.0,
                micros[rounds - 1] / 1000.0);
    }
}
