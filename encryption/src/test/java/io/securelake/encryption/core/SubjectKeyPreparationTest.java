package io.securelake.encryption.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.Fixtures;
import io.securelake.encryption.Fixtures.MutableClock;
import io.securelake.encryption.KeyServiceUnavailableException;
import io.securelake.encryption.KeyShreddedException;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.keys.HadoopKekProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new subject's key readied without holding the caller ({@code FieldCipher.prepareSubjectKey}): the write to the
 * registry is in flight while the caller goes on, the key is used only once the registry decided it (another writer's
 * key if that one won), and a failure is the registry's.
 */
class SubjectKeyPreparationTest {

    private static final String KEK = "dev.payments";
    private static final EncryptionContext EMAIL = new EncryptionContext("dev", "payments", "customer.email");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    /** A registry whose asynchronous writes travel until the test lets them land. */
    private static final class InFlightRegistry extends Fixtures.Delegating {
        final List<StoredDek> inFlight = new ArrayList<>();
        final List<CompletableFuture<StoredDek>> decisions = new ArrayList<>();
        /** Subject keys written the waiting way (the period's wrapping key always is: one per period). */
        final AtomicInteger synchronousSubjectInserts = new AtomicInteger();

        InFlightRegistry(DekRepository inner) {
            super(inner);
        }

        @Override
        public StoredDek insertShared(StoredDek dek) {
            if (dek.scope() == DekScope.SUBJECT) {
                synchronousSubjectInserts.incrementAndGet();
            }
            return inner.insertShared(dek);
        }

        @Override
        public synchronized CompletableFuture<StoredDek> insertSharedAsync(StoredDek dek) {
            CompletableFuture<StoredDek> decided = new CompletableFuture<>();
            inFlight.add(dek);
            decisions.add(decided);
            return decided;
        }

        /** The write lands and is decided as the registry decides it. */
        synchronized void land(int i) {
            decisions.get(i).complete(inner.insertShared(inFlight.get(i)));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aNewSubjectsKeyIsInFlightWhileTheCallerGoesOnAndIsUsedOnceTheRegistryHasIt() throws Exception {
        DekRepository shared = new InMemoryDekRepository();
        InFlightRegistry registry = new InFlightRegistry(shared);
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, registry, clock)) {
            List<CompletableFuture<Void>> ready = new ArrayList<>();
            for (int s = 0; s < 100; s++) {
                ready.add(writer.prepareSubjectKey(EMAIL, "customer-" + s));
            }
            // A hundred keys in flight at once, none stored yet, nobody waited.
            assertThat(registry.inFlight).hasSize(100);
            assertThat(ready).noneMatch(CompletableFuture::isDone);
            assertThat(shared.list(KEK)).filteredOn(d -> d.scope() == DekScope.SUBJECT).isEmpty();

            for (int s = 0; s < 100; s++) {
                registry.land(s);
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
            List<byte[]> written = new ArrayList<>();
            for (int s = 0; s < 100; s++) {
                written.add(writer.encrypt(utf8("mail-" + s), EMAIL, EncryptionMode.RANDOMIZED, "customer-" + s));
            }
            assertThat(registry.synchronousSubjectInserts).as("encrypting found every key ready").hasValue(0);
            assertThat(writer.stats().kmsCalls()).as("the period's wrapping key, once").isEqualTo(1);
            // Another process reads them through the registry alone.
            try (FieldCipher reader = Fixtures.cipher("dev", provider, shared, clock)) {
                for (int s = 0; s < 100; s++) {
                    assertThat(reader.decrypt(written.get(s), EMAIL)).isEqualTo(utf8("mail-" + s));
                }
            }
            // A known subject is ready at once: no second key is made for it.
            assertThat(writer.prepareSubjectKey(EMAIL, "customer-7")).isCompleted();
            assertThat(registry.inFlight).hasSize(100);
        }
    }

    @Test
    void whenAnotherWriterRegisteredTheSubjectFirstItsKeyIsTheOneUsed() throws Exception {
        DekRepository shared = new InMemoryDekRepository();
        InFlightRegistry registry = new InFlightRegistry(shared);
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, registry, clock);
             FieldCipher otherWriter = Fixtures.cipher("dev", provider, shared, clock)) {
            CompletableFuture<Void> ready = writer.prepareSubjectKey(EMAIL, "customer-1");
            byte[] theirs = otherWriter.encrypt(utf8("theirs"), EMAIL, EncryptionMode.RANDOMIZED, "customer-1");
            registry.land(0); // our claim comes second
            ready.get(5, TimeUnit.SECONDS);
            byte[] ours = writer.encrypt(utf8("ours"), EMAIL, EncryptionMode.RANDOMIZED, "customer-1");

            assertThat(shared.list(KEK)).filteredOn(d -> d.scope() == DekScope.SUBJECT).hasSize(1);
            assertThat(otherWriter.decrypt(ours, EMAIL)).isEqualTo(utf8("ours"));
            assertThat(writer.decrypt(theirs, EMAIL)).isEqualTo(utf8("theirs"));
        }
    }

    @Test
    void aShreddedSubjectIsReadyAtOnceAndRefusedWhenEncryptedAndARegistryFailureIsTheCallersToSee() throws Exception {
        DekRepository shared = new InMemoryDekRepository();
        InFlightRegistry registry = new InFlightRegistry(shared);
        try (HadoopKekProvider provider = Fixtures.keystoreWith(dir, KEK);
             FieldCipher writer = Fixtures.cipher("dev", provider, registry, clock);
             FieldCipher otherWriter = Fixtures.cipher("dev", provider, shared, clock)) {
            otherWriter.encrypt(utf8("x"), EMAIL, EncryptionMode.RANDOMIZED, "customer-gone");
            assertThat(Fixtures.admin(provider, shared).shredSubject(KEK, "customer-gone")).isTrue();
            assertThat(writer.prepareSubjectKey(EMAIL, "customer-gone")).isCompleted();
            assertThat(registry.inFlight).as("no new key for a shredded subject").isEmpty();
            assertThatThrownBy(() -> writer.encrypt(utf8("y"), EMAIL, EncryptionMode.RANDOMIZED, "customer-gone"))
                    .isInstanceOf(KeyShreddedException.class);

            CompletableFuture<Void> ready = writer.prepareSubjectKey(EMAIL, "customer-2");
            registry.decisions.get(0).completeExceptionally(
                    new KeyServiceUnavailableException("the key registry did not answer", null));
            assertThatThrownBy(() -> ready.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(KeyServiceUnavailableException.class);
        }
    }
}
