package io.securelake.encryption.core;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA256 (RFC 5869). Used once per DEK to derive the per-mode keys. */
public final class Hkdf {

    private static final int HASH_LENGTH = 32;

    private Hkdf() {
    }

    public static byte[] extract(byte[] salt, byte[] inputKeyMaterial) {
        byte[] effectiveSalt = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        Mac mac = hmac(effectiveSalt);
        return mac.doFinal(inputKeyMaterial);
    }

    public static byte[] expand(byte[] pseudoRandomKey, byte[] info, int length) {
        if (length < 1 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF output length out of range: " + length);
        }
        Mac mac = hmac(pseudoRandomKey);
        byte[] out = new byte[length];
        byte[] previous = new byte[0];
        int written = 0;
        for (int counter = 1; written < length; counter++) {
            mac.update(previous);
            mac.update(info);
            mac.update((byte) counter);
            previous = mac.doFinal();
            int take = Math.min(previous.length, length - written);
            System.arraycopy(previous, 0, out, written, take);
            written += take;
        }
        return out;
    }

    /**
     * One HMAC engine per thread, re-keyed for each use: looking the algorithm up in the JCE providers cost more than
     * the HMAC itself, and a new data subject's key needs several (an immutable cache, not shared state: each thread
     * owns its engine).
     */
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = HMAC.get();
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 refused its key", e);
        }
    }
}
