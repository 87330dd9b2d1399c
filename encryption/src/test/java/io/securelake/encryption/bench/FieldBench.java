package io.securelake.encryption.bench;

import io.securelake.encryption.EncryptionContext;
import io.securelake.encryption.EncryptionMode;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-core throughput of one field, both modes, next to bare JCE AES-256-GCM (fresh random IV per call,
 * nothing else) as the floor. Run with -t 1 (the default) for per-core numbers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class FieldBench {

    @Param({"16", "64", "1024"})
    int size;

    private BenchKeys keys;
    private final EncryptionContext context = new EncryptionContext("bench", "events", "customer.email");
    private byte[] plaintext;
    private byte[] randomizedCiphertext;
    private byte[] deterministicCiphertext;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        keys = new BenchKeys();
        plaintext = new byte[size];
        new SecureRandom().nextBytes(plaintext);
        randomizedCiphertext = keys.cipher.encrypt(plaintext, context, EncryptionMode.RANDOMIZED);
        deterministicCiphertext = keys.cipher.encrypt(plaintext, context, EncryptionMode.DETERMINISTIC);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.println();
        System.out.println("stats " + keys.cipher.stats() + " kmsCallsPerMillionFields="
                + keys.cipher.stats().kmsCallsPerMillionFields());
        keys.close();
    }

    /** The floor: what any AES-256-GCM field encryption on this JVM must at least cost. */
    @State(Scope.Thread)
    public static class BareGcm {
        final SecureRandom random = new SecureRandom();
        final SecretKeySpec key;
        final Cipher cipher;
        final byte[] iv = new byte[12];
        byte[] ciphertext;
        byte[] ciphertextIv;

        public BareGcm() {
            try {
                byte[] k = new byte[32];
                random.nextBytes(k);
                key = new SecretKeySpec(k, "AES");
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Setup(Level.Trial)
        public void prepare(FieldBench bench) throws Exception {
            ciphertextIv = new byte[12];
            random.nextBytes(ciphertextIv);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, ciphertextIv));
            ciphertext = cipher.doFinal(bench.plaintext);
        }
    }

    @Benchmark
    public byte[] bareGcmEncrypt(BareGcm bare) throws Exception {
        bare.random.nextBytes(bare.iv);
        bare.cipher.init(Cipher.ENCRYPT_MODE, bare.key, new GCMParameterSpec(128, bare.iv));
        return bare.cipher.doFinal(plaintext);
    }

    @Benchmark
    public byte[] bareGcmDecrypt(BareGcm bare) throws Exception {
        bare.cipher.init(Cipher.DECRYPT_MODE, bare.key, new GCMParameterSpec(128, bare.ciphertextIv));
        return bare.cipher.doFinal(bare.ciphertext);
    }

    @Benchmark
    public byte[] randomizedEncrypt() {
        return keys.cipher.encrypt(plaintext, context, EncryptionMode.RANDOMIZED);
    }

    @Benchmark
    public byte[] randomizedDecrypt() {
        return keys.cipher.decrypt(randomizedCiphertext, context);
    }

    @Benchmark
    public byte[] deterministicEncrypt() {
        return keys.cipher.encrypt(plaintext, context, EncryptionMode.DETERMINISTIC);
    }

    @Benchmark
    public byte[] deterministicDecrypt() {
        return keys.cipher.decrypt(deterministicCiphertext, context);
    }
}
