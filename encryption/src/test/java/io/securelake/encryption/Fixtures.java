package io.securelake.encryption;

import io.securelake.encryption.core.DefaultKeyAdministration;
import io.securelake.encryption.core.InMemoryDekRepository;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** Real keystore-backed providers and a clock tests move forward instead of sleeping. */
public final class Fixtures {

    private Fixtures() {
    }

    public static URI jceksUri(Path keystoreFile) {
        return URI.create("jceks://file" + keystoreFile.toAbsolutePath());
    }

    /** Hadoop's JavaKeyStoreProvider on a keystore file (created on first write). */
    public static HadoopKekProvider jceks(Path keystoreFile) {
        return HadoopKekProvider.open(jceksUri(keystoreFile), Map.of());
    }

    /** A provider on a fresh keystore holding the given 256-bit KEKs. */
    public static HadoopKekProvider keystoreWith(Path dir, String... kekNames) {
        HadoopKekProvider provider = jceks(dir.resolve("keks.jceks"));
        for (String name : kekNames) {
            provider.createKek(name);
        }
        return provider;
    }

    public static EncryptionSettings settings(String environment, MutableClock clock) {
        return EncryptionSettings.defaults(environment).withClock(clock);
    }

    public static FieldCipher cipher(String environment, KekProvider provider, DekRepository repository,
                                     MutableClock clock) {
        return FieldEncryption.fieldCipher(settings(environment, clock), provider, repository);
    }

    public static KeyAdministration admin(KekProvider provider, DekRepository repository, FieldCipher... ciphers) {
        return new DefaultKeyAdministration(provider, repository, Clock.systemUTC(), List.of(ciphers));
    }

    public static DekRepository memoryRepository() {
        return new InMemoryDekRepository();
    }

    /** The same repository, as one that cannot push changes (readers rely on their cache expiry alone). */
    public static DekRepository withoutPush(DekRepository inner) {
        return new Delegating(inner);
    }

    /** Passes every call to another repository except {@code subscribe} (so it pushes nothing); tests override a call. */
    public static class Delegating implements DekRepository {
        protected final DekRepository inner;

        public Delegating(DekRepository inner) {
            this.inner = inner;
        }

        @Override
        public java.util.Optional<StoredDek> find(String kekName, DekId id) {
            return inner.find(kekName, id);
        }

        @Override
        public void insert(StoredDek dek) {
            inner.insert(dek);
        }

        @Override
        public java.util.Optional<StoredDek> findShared(String kekName, String sharedName) {
            return inner.findShared(kekName, sharedName);
        }

        @Override
        public StoredDek insertShared(StoredDek dek) {
            return inner.insertShared(dek);
        }

        @Override
        public boolean compareAndSet(StoredDek expected, StoredDek replacement) {
            return inner.compareAndSet(expected, replacement);
        }

        @Override
        public List<StoredDek> list(String kekName) {
            return inner.list(kekName);
        }
    }

    /** A clock that moves only when told to. */
    public static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

        public void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
