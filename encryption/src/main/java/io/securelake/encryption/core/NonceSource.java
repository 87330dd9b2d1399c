package io.securelake.encryption.core;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Random nonces from a per-thread DRBG, drawn in 1 KiB batches: one SecureRandom call per ~85 GCM nonces
 * instead of one per field, and no lock shared between threads (the platform default NativePRNG has one).
 */
final class NonceSource {

    private static final int BATCH = 1024;

    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

    void next(byte[] out, int offset, int length) {
        batches.get().take(out, offset, length);
    }

    private static final class Batch {
        private final SecureRandom random;
        private final byte[] bytes = new byte[BATCH];
        private int position = BATCH;

        Batch() {
            try {
                random = SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("DRBG SecureRandom unavailable", e);
            }
        }

        void take(byte[] out, int offset, int length) {
            if (position + length > BATCH) {
                random.nextBytes(bytes);
                position = 0;
            }
            System.arraycopy(bytes, position, out, offset, length);
            // Wipe what was handed out so a heap dump shows no future or past nonces in this buffer.
            java.util.Arrays.fill(bytes, position, position + length, (byte) 0);
            position += length;
        }
    }
}
