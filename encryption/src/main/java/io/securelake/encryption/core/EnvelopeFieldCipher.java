package io.securelake.encryption.core;

import io.securelake.encryption.AuthenticationFailedException;
import io.securelake.encryption.CipherStats;
import io.securelake.encryption.DekChangeListener;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekNotFoundException;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.EnvironmentMismatchException;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.FieldEncryptionException;
import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KeyProviderException;
import io.securelake.encryption.KeyShreddedException;
import io.securelake.encryption.LocalWrap;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import io.securelake.encryption.WrongKeyException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Envelope encryption of single fields: DEKs from a {@link DekRepository}, wrapped by KEKs of a
 * {@link KekProvider}, cached unwrapped in memory so the provider (often a KMS) is rarely called.
 *
 * <p>Randomized mode uses a writer-private DEK that rotates by age and use count. Deterministic mode
 * uses one DEK per dataset shared by all writers, so equal values encrypt equally everywhere. With a
 * subject id, both modes use that subject's own shared DEK, which can be destroyed (crypto-shredding).
 *
 * <p>A new subject's key costs no KMS call: it is random, sealed here under the dataset's wrapping key of the
 * current period (which the KMS generated and wraps), and stored in the repository before it is used. The
 * repository pushes changes (a shred, a re-wrap) made by any process, and the cached keys they concern are dropped
 * at once; the cache expiry is only the bound for repositories that cannot push.
 *
 * <p>The provider and repository are borrowed: {@link #close()} does not close them.
 */
public final class EnvelopeFieldCipher implements FieldCipher {

    private record DekRef(String kekName, DekId id) {
    }

    /** In-memory key of a shared DEK: the raw subject id is fine here, it never leaves the process. */
    private record SharedRef(String kekName, DekScope scope, String subjectId) {
    }

    /** How long a thread reuses the subject key it looked up last without asking the shared cache again. */
    private static final long SUBJECT_MEMO_MILLIS = 1_000;

    private final EncryptionSettings settings;
    private final KekProvider kekProvider;
    private final DekRepository repository;
    private final RollingDeks rollingDeks;
    private final WrappingKeys wrappingKeys;
    private final DekRepository.Subscription changes;
    private final ExpiringCache<DekRef, DekKeys> keysById;
    private final ExpiringCache<SharedRef, DekKeys> sharedKeys;
    private final ThreadLocal<ThreadState> threadStates;
    /** Bumped by {@link #invalidate} and {@link #close}: threads drop their engines and remembered keys. */
    private final AtomicLong generation = new AtomicLong();
    private final NonceSource nonces = new NonceSource();
    /** Per field context: its KEK name and encoded AAD; schemas have few fields, so this stays small (and is capped). */
    private final ConcurrentHashMap<EncryptionContext, ContextInfo> contexts = new ConcurrentHashMap<>();

    private record ContextInfo(String kekName, byte[] aad) {
    }

    private final SecureRandom idRandom = new SecureRandom();
    private final LongAdder kmsCalls = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder fieldsEncrypted = new LongAdder();
    private final LongAdder fieldsDecrypted = new LongAdder();
    private volatile boolean closed;

    public EnvelopeFieldCipher(EncryptionSettings settings, KekProvider kekProvider, DekRepository repository) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.kekProvider = Objects.requireNonNull(kekProvider, "kekProvider");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.rollingDeks = new RollingDeks(settings.dekMaxAge().toMillis(), settings.dekMaxUses(),
                kekName -> createDek(kekName, DekScope.ROLLING, null, settings.clock().millis()).keys());
        long ttl = settings.dekCacheTtl().toMillis();
        this.keysById = new ExpiringCache<>(settings.dekCacheMaxEntries(), ttl);
        this.sharedKeys = new ExpiringCache<>(settings.dekCacheMaxEntries(), ttl);
        int keysPerThread = settings.keysPerThread();
        this.threadStates = ThreadLocal.withInitial(() -> new ThreadState(keysPerThread));
        this.wrappingKeys = new WrappingKeys(settings, repository, new WrappingKeys.Kms() {
            @Override
            public GeneratedDek generate(String kekName) {
                return generateFullLengthDek(kekName);
            }

            @Override
            public byte[] unwrap(WrappedDek wrapped) {
                return countedKms(() -> kekProvider.unwrapDek(wrapped));
            }
        }, generation, idRandom);
        this.changes = repository.subscribe(new DekChangeListener() {
            @Override
            public void changed(String kekName, DekId id) {
                forget(kekName, id);
            }

            @Override
            public void changedAll() {
                forgetAll();
            }
        });
    }

    /** Whether changes made by other processes (a shred) reach this cipher when made, not at cache expiry. */
    public boolean changesArePushed() {
        return changes.pushes();
    }

    private ThreadState threadState() {
        return threadStates.get().sync(generation.get());
    }

    // ---------------------------------------------------------------- encryption

    @Override
    public byte[] encrypt(byte[] plaintext, EncryptionContext context, EncryptionMode mode) {
        return encrypt(plaintext, context, mode, null);
    }

    @Override
    public byte[] encrypt(byte[] plaintext, EncryptionContext context, EncryptionMode mode, String subjectId) {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(mode, "mode");
        requireOpen();
        requireOwnEnvironment(context);
        long now = settings.clock().millis();
        ContextInfo info = contextInfo(context);
        String kekName = info.kekName();
        byte[] out;
        if (subjectId != null) {
            DekKeys keys = subjectDek(kekName, subjectId, now);
            out = mode == EncryptionMode.RANDOMIZED ? sealGcm(keys, plaintext, context, info) : sealSiv(keys, plaintext, info);
        } else if (mode == EncryptionMode.RANDOMIZED) {
            out = sealGcm(rollingDeks.next(kekName, now), plaintext, context, info);
        } else {
            out = sealSiv(sharedDek(new SharedRef(kekName, DekScope.DETERMINISTIC, null), now), plaintext, info);
        }
        fieldsEncrypted.increment();
        return out;
    }

    @Override
    public String encryptToText(byte[] plaintext, EncryptionContext context, EncryptionMode mode, String subjectId) {
        return CiphertextFormat.toText(encrypt(plaintext, context, mode, subjectId));
    }

    private byte[] sealGcm(DekKeys keys, byte[] plaintext, EncryptionContext context, ContextInfo info) {
        byte[] header = keys.header(EncryptionMode.RANDOMIZED);
        int bodyOffset = header.length + CiphertextFormat.GCM_NONCE_LENGTH;
        byte[] out = new byte[bodyOffset + plaintext.length + CiphertextFormat.GCM_TAG_LENGTH];
        System.arraycopy(header, 0, out, 0, header.length);
        nonces.next(out, header.length, CiphertextFormat.GCM_NONCE_LENGTH);
        KeyEngines engines = threadState().enginesFor(keys);
        int slot = engines.slot(info);
        byte[] aad = engines.gcmAads[slot];
        if (aad == null) {
            aad = engines.gcmAads[slot] = concat(header, info.aad());
        }
        Cipher gcm = engines.gcm();
        try {
            gcm.init(Cipher.ENCRYPT_MODE, keys.gcmKey, new GCMParameterSpec(128, out, header.length,
                    CiphertextFormat.GCM_NONCE_LENGTH));
            gcm.updateAAD(aad);
            gcm.doFinal(plaintext, 0, plaintext.length, out, bodyOffset);
        } catch (GeneralSecurityException e) {
            throw new FieldEncryptionException("AES-GCM encryption failed for " + describe(context), e);
        }
        return out;
    }

    private byte[] sealSiv(DekKeys keys, byte[] plaintext, ContextInfo info) {
        byte[] header = keys.header(EncryptionMode.DETERMINISTIC);
        byte[] out = new byte[header.length + CiphertextFormat.SIV_IV_LENGTH + plaintext.length];
        System.arraycopy(header, 0, out, 0, header.length);
        KeyEngines engines = threadState().enginesFor(keys);
        int slot = engines.slot(info);
        byte[] prefix = engines.sivPrefixes[slot];
        if (prefix == null) {
            // The one S2V component: header || context, the same bytes GCM authenticates.
            prefix = engines.sivPrefixes[slot] = keys.siv.s2vPrefix(engines.siv(), new byte[][] {concat(header, info.aad())});
        }
        keys.siv.sealAfter(engines.siv(), prefix, plaintext, 0, plaintext.length, out, header.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static final int MAX_CACHED_CONTEXTS = 10_000;

    private byte[] contextAad(EncryptionContext context) {
        return contextInfo(context).aad();
    }

    private ContextInfo contextInfo(EncryptionContext context) {
        ContextInfo info = contexts.get(context);
        if (info == null) {
            if (contexts.size() >= MAX_CACHED_CONTEXTS) {
                contexts.clear();
            }
            info = new ContextInfo(context.kekName(), CiphertextFormat.contextAad(context));
            contexts.put(context, info);
        }
        return info;
    }

    /** One S2V component: header || context, the same bytes GCM authenticates. */
    private byte[] sivAad(byte[] headerSource, int offset, int length, EncryptionContext context) {
        byte[] contextAad = contextAad(context);
        byte[] aad = new byte[length + contextAad.length];
        System.arraycopy(headerSource, offset, aad, 0, length);
        System.arraycopy(contextAad, 0, aad, length, contextAad.length);
        return aad;
    }

    private record Created(StoredDek stored, DekKeys keys) {
    }

    /** A new DEK from the provider, refused when its KEK is shorter than 256 bits. */
    private GeneratedDek generateFullLengthDek(String kekName) {
        GeneratedDek generated = countedKms(() -> kekProvider.generateDek(kekName));
        int length = generated.material().length;
        if (length < DekKeys.MIN_DEK_LENGTH) {
            throw new KeyProviderException("KEK " + generated.wrapped().kekVersionName() + " yields " + length * 8
                    + "-bit DEKs; securelake requires 256-bit KEKs", null);
        }
        return generated;
    }

    /** Generates a DEK through the provider and stores it (rolling) or prepares it (shared). */
    private Created createDek(String kekName, DekScope scope, String sharedName, long now) {
        GeneratedDek generated = generateFullLengthDek(kekName);
        byte[] material = generated.material();
        try {
            for (int attempt = 0; ; attempt++) {
                DekId id = new DekId(idRandom.nextLong());
                DekKeys keys = DekKeys.derive(kekName, id, generated.wrapped().kekVersionNumber(), material);
                StoredDek stored = StoredDek.wrappedByKms(kekName, id, scope, sharedName, generated.wrapped(),
                        keys.checkValue, Instant.ofEpochMilli(now));
                if (scope != DekScope.ROLLING) {
                    return new Created(stored, keys);
                }
                try {
                    repository.insert(stored);
                    keysById.put(new DekRef(kekName, id), keys, now);
                    return new Created(stored, keys);
                } catch (IllegalStateException idTaken) {
                    if (attempt >= 3) {
                        throw idTaken;
                    }
                }
            }
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /** A subject's DEK; the thread's last one again without a cache lookup, as a record's fields share it. */
    private DekKeys subjectDek(String kekName, String subjectId, long now) {
        ThreadState state = threadState();
        if (state.lastSubjectKeys != null && now < state.lastSubjectValidUntil
                && subjectId.equals(state.lastSubjectId) && kekName.equals(state.lastKekName)) {
            return state.lastSubjectKeys;
        }
        DekKeys keys = sharedDek(new SharedRef(kekName, DekScope.SUBJECT, subjectId), now);
        state.lastKekName = kekName;
        state.lastSubjectId = subjectId;
        state.lastSubjectKeys = keys;
        state.lastSubjectValidUntil = now + Math.min(SUBJECT_MEMO_MILLIS, settings.dekCacheTtl().toMillis());
        return keys;
    }

    /** The deterministic DEK of a dataset, or a subject's DEK: found in the repository or created there. */
    private DekKeys sharedDek(SharedRef ref, long now) {
        DekKeys cached = sharedKeys.get(ref, now);
        if (cached != null) {
            return cached;
        }
        // Taken before the repository is read: if the KEK is invalidated (e.g. a subject shredded) meanwhile,
        // this key may be one the invalidation meant to remove, and must not be cached past it.
        long generationBefore = generation.get();
        String sharedName = sharedName(ref);
        // A miss is settled by insertShared, which returns the key another writer may have registered meanwhile.
        Optional<StoredDek> existing = repository.findSharedIfKnown(ref.kekName(), sharedName);
        if (existing.isPresent()) {
            return cacheShared(ref, existing.get(), null, now, generationBefore);
        }
        Created created = ref.scope() == DekScope.SUBJECT
                ? createSubjectDek(ref.kekName(), sharedName, now)
                : createDek(ref.kekName(), ref.scope(), sharedName, now);
        StoredDek stored = repository.insertShared(created.stored());
        return cacheShared(ref, stored, stored.id().equals(created.stored().id()) ? created.keys() : null, now,
                generationBefore);
    }

    @Override
    public CompletableFuture<Void> prepareSubjectKey(EncryptionContext context, String subjectId) {
        try {
            Objects.requireNonNull(subjectId, "subjectId");
            requireOpen();
            requireOwnEnvironment(context);
            long now = settings.clock().millis();
            SharedRef ref = new SharedRef(contextInfo(context).kekName(), DekScope.SUBJECT, subjectId);
            if (sharedKeys.get(ref, now) != null) {
                return READY;
            }
            long generationBefore = generation.get();
            String sharedName = sharedName(ref);
            Optional<StoredDek> existing = repository.findSharedIfKnown(ref.kekName(), sharedName);
            if (existing.isPresent()) {
                if (!existing.get().destroyed()) {
                    cacheShared(ref, existing.get(), null, now, generationBefore);
                }
                return READY; // a destroyed key: encrypting refuses, naming it
            }
            Created created = createSubjectDek(ref.kekName(), sharedName, now);
            return repository.insertSharedAsync(created.stored()).thenAccept(stored -> cacheShared(ref, stored,
                    stored.id().equals(created.stored().id()) ? created.keys() : null, settings.clock().millis(),
                    generationBefore));
        } catch (FieldEncryptionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static final CompletableFuture<Void> READY = CompletableFuture.completedFuture(null);

    private static String sharedName(SharedRef ref) {
        return ref.scope() == DekScope.SUBJECT
                ? SubjectRefs.sharedName(ref.kekName(), ref.subjectId())
                : SubjectRefs.DETERMINISTIC_SHARED_NAME;
    }

    /** Checks a shared DEK the repository gave, unwraps it unless this process made it, and caches it. */
    private DekKeys cacheShared(SharedRef ref, StoredDek stored, DekKeys made, long now, long generationBefore) {
        requireEntry(stored, ref.kekName(), ref.scope(), sharedName(ref));
        if (stored.destroyed()) {
            throw new KeyShreddedException("the " + describeShared(ref) + " was destroyed at " + stored.destroyedAt()
                    + " (crypto-shredded); nothing is encrypted for it any more");
        }
        DekKeys keys = made;
        if (keys == null) {
            keys = unwrapStored(stored, now);
        } else {
            keysById.put(new DekRef(ref.kekName(), stored.id()), keys, now);
        }
        sharedKeys.put(ref, keys, now);
        if (generation.get() != generationBefore) {
            sharedKeys.remove(ref, keys);
            keysById.remove(new DekRef(ref.kekName(), stored.id()), keys);
        }
        return keys;
    }

    /**
     * A new subject key: random material sealed under the current wrapping key, no KMS call (unless this process
     * has not yet got the period's wrapping key). Stored by the caller before its first use.
     */
    private Created createSubjectDek(String kekName, String sharedName, long now) {
        SubjectKeySeal.WrappingKey wrapping = wrappingKeys.current(kekName, now);
        byte[] material = new byte[DekKeys.MIN_DEK_LENGTH];
        idRandom.nextBytes(material);
        try {
            DekId id = new DekId(idRandom.nextLong());
            DekKeys keys = DekKeys.derive(kekName, id, wrapping.originKekVersion(), material);
            LocalWrap seal = SubjectKeySeal.seal(wrapping, id, sharedName, material, nonces);
            return new Created(StoredDek.sealedLocally(kekName, id, sharedName, seal, keys.checkValue,
                    wrapping.originKekVersion(), Instant.ofEpochMilli(now)), keys);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    /**
     * A shared name must lead to a key of that name and kind: a reference pointed at another subject's key (or at the
     * dataset's deterministic key) would make this subject's data readable, and later shreddable, as another's.
     */
    static void requireEntry(StoredDek stored, String kekName, DekScope scope, String sharedName) {
        if (!stored.kekName().equals(kekName) || stored.scope() != scope || !sharedName.equals(stored.sharedName())) {
            throw new WrongKeyException("the DEK repository's entry for " + scope + " key '" + sharedName + "' of KEK "
                    + kekName + " is DEK " + stored.id() + ", a " + stored.scope() + " key named '" + stored.sharedName()
                    + "' of KEK " + stored.kekName() + ": the repository was altered; nothing is encrypted with it");
        }
    }

    private static String describeShared(SharedRef ref) {
        return ref.scope() == DekScope.SUBJECT
                ? "subject key of KEK " + ref.kekName()
                : "deterministic DEK of KEK " + ref.kekName();
    }

    // ---------------------------------------------------------------- decryption

    @Override
    public byte[] decrypt(byte[] ciphertext, EncryptionContext context) {
        requireOpen();
        requireOwnEnvironment(context);
        CiphertextFormat.Header header = CiphertextFormat.parse(ciphertext);
        CiphertextFormat.requireKekOfContext(header.kekName(), context);
        long now = settings.clock().millis();
        DekKeys keys = keysFor(header, now);
        byte[] plaintext;
        try {
            if (header.mode() == EncryptionMode.RANDOMIZED) {
                Cipher gcm = threadState().enginesFor(keys).gcm();
                gcm.init(Cipher.DECRYPT_MODE, keys.gcmKey, new GCMParameterSpec(128, ciphertext, header.length(),
                        CiphertextFormat.GCM_NONCE_LENGTH));
                gcm.updateAAD(ciphertext, 0, header.length());
                gcm.updateAAD(contextAad(context));
                int bodyOffset = header.length() + CiphertextFormat.GCM_NONCE_LENGTH;
                plaintext = gcm.doFinal(ciphertext, bodyOffset, ciphertext.length - bodyOffset);
            } else {
                byte[] aad = sivAad(ciphertext, 0, header.length(), context);
                plaintext = keys.siv.open(threadState().enginesFor(keys).siv(), new byte[][] {aad}, ciphertext, header.length(),
                        ciphertext.length - header.length());
            }
        } catch (AEADBadTagException e) {
            throw new AuthenticationFailedException("ciphertext for " + describe(context) + " (KEK " + header.kekName()
                    + ", DEK " + header.dekId() + ", " + header.mode() + ") failed authentication: it was altered,"
                    + " or it belongs to another field", e);
        } catch (GeneralSecurityException e) {
            throw new FieldEncryptionException("decryption failed for " + describe(context), e);
        }
        fieldsDecrypted.increment();
        return plaintext;
    }

    @Override
    public byte[] decryptText(String ciphertext, EncryptionContext context) {
        return decrypt(CiphertextFormat.fromText(ciphertext), context);
    }


    private DekKeys keysFor(CiphertextFormat.Header header, long now) {
        DekRef ref = new DekRef(header.kekName(), header.dekId());
        DekKeys keys = keysById.get(ref, now);
        if (keys != null) {
            cacheHits.increment();
            return keys;
        }
        cacheMisses.increment();
        long generationBefore = generation.get(); // as in sharedDek: never cache past an invalidation
        StoredDek stored = repository.find(header.kekName(), header.dekId())
                .orElseThrow(() -> new DekNotFoundException("DEK " + header.dekId() + " of KEK " + header.kekName()
                        + " is not in the DEK repository (deleted, or a repository of another deployment)"));
        if (stored.destroyed()) {
            throw new KeyShreddedException("DEK " + header.dekId() + " of KEK " + header.kekName() + " ("
                    + stored.scope() + ") was destroyed at " + stored.destroyedAt()
                    + " (crypto-shredded): this value is unreadable for good");
        }
        DekKeys unwrapped = unwrapStored(stored, now);
        if (generation.get() != generationBefore) {
            keysById.remove(ref, unwrapped);
        }
        return unwrapped;
    }

    private DekKeys unwrapStored(StoredDek stored, long now) {
        DekRef ref = new DekRef(stored.kekName(), stored.id());
        DekKeys cached = keysById.get(ref, now);
        if (cached != null) {
            return cached;
        }
        if (stored.scope() == DekScope.WRAPPING) {
            throw new WrongKeyException("DEK " + stored.id() + " of KEK " + stored.kekName()
                    + " is a wrapping key: it encrypts no field, so a ciphertext naming it was forged");
        }
        LocalWrap seal = stored.localWrap();
        WrappedDek wrapped = stored.wrapped();
        String unwrappedBy = seal != null ? "wrapping key " + seal.wrappingKey() : "KEK " + wrapped.kekVersionName();
        byte[] material = seal != null
                ? SubjectKeySeal.open(wrappingKeys.byId(stored.kekName(), seal.wrappingKey(), now), stored.id(),
                        stored.sharedName(), seal)
                : countedKms(() -> kekProvider.unwrapDek(wrapped));
        try {
            if (material.length < DekKeys.MIN_DEK_LENGTH) {
                throw new WrongKeyException("DEK " + stored.id() + " unwrapped by " + unwrappedBy
                        + " to " + material.length + " bytes; expected at least " + DekKeys.MIN_DEK_LENGTH);
            }
            DekKeys keys = DekKeys.derive(stored.kekName(), stored.id(), stored.originKekVersion(), material);
            byte[] expected = stored.checkValue();
            if (expected == null || !MessageDigest.isEqual(expected, keys.checkValue)) {
                throw new WrongKeyException("DEK " + stored.id() + " unwrapped by " + unwrappedBy
                        + " does not match its check value: the provider holds other material under that KEK name"
                        + " (another keystore or KMS?) or the wrapped DEK was corrupted");
            }
            keysById.put(ref, keys, now);
            return keys;
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    // ---------------------------------------------------------------- housekeeping

    @Override
    public void invalidate(String kekName) {
        rollingDeks.forgetKek(kekName);
        keysById.removeIf(ref -> ref.kekName().equals(kekName));
        sharedKeys.removeIf(ref -> ref.kekName().equals(kekName));
        wrappingKeys.forgetKek(kekName);
        // After the caches: a thread that sees the new generation can no longer find the old keys there.
        generation.incrementAndGet();
    }

    /** One DEK changed (pushed by the repository): drop it wherever it is cached, and nothing else. */
    private void forget(String kekName, DekId id) {
        DekRef ref = new DekRef(kekName, id);
        keysById.removeIf(ref::equals);
        sharedKeys.removeIfValue(keys -> keys.kekName.equals(kekName) && keys.id.equals(id));
        wrappingKeys.forget(kekName, id);
        rollingDeks.forget(kekName, id);
        generation.incrementAndGet();
    }

    private void forgetAll() {
        rollingDeks.forgetAll();
        keysById.clear();
        sharedKeys.clear();
        wrappingKeys.forgetAll();
        generation.incrementAndGet();
    }

    @Override
    public CipherStats stats() {
        return new CipherStats(kmsCalls.sum(), cacheHits.sum(), cacheMisses.sum(), fieldsEncrypted.sum(),
                fieldsDecrypted.sum());
    }

    @Override
    public void close() {
        closed = true;
        changes.close();
        threadStates.remove();
        rollingDeks.forgetAll();
        keysById.clear();
        sharedKeys.clear();
        wrappingKeys.forgetAll();
        contexts.clear();
        generation.incrementAndGet();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("field cipher is closed");
        }
    }

    private void requireOwnEnvironment(EncryptionContext context) {
        Objects.requireNonNull(context, "context");
        if (!context.environment().equals(settings.environment())) {
            throw new EnvironmentMismatchException("context environment '" + context.environment()
                    + "' is not this cipher's environment '" + settings.environment() + "' (" + describe(context) + ")");
        }
    }

    private <T> T countedKms(java.util.function.Supplier<T> call) {
        kmsCalls.increment();
        return call.get();
    }

    private static String describe(EncryptionContext context) {
        return "field '" + context.fieldPath() + "' of dataset '" + context.dataset() + "' in environment '"
                + context.environment() + "'";
    }
}
