package io.securelake.encryption.bench;

import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryption;
import io.securelake.encryption.core.InMemoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real keystore-backed cipher for benchmarks; the keystore lives in a temp dir removed on close. */
final class BenchKeys implements AutoCloseable {

    final HadoopKekProvider provider;
    final DekRepository repository = new InMemoryDekRepository();
    final FieldCipher cipher;
    private final Path dir;

    BenchKeys() throws IOException {
        dir = Files.createTempDirectory("securelake-bench");
        provider = HadoopKekProvider.open(URI.create("jceks://file" + dir.resolve("keks.jceks")), Map.of());
        provider.createKek("bench.events");
        cipher = FieldEncryption.fieldCipher(EncryptionSettings.defaults("bench"), provider, repository);
    }

    @Override
    public void close() throws IOException {
        cipher.close();
        provider.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
