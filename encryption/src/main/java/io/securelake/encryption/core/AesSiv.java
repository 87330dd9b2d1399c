package io.securelake.encryption.core;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-SIV (RFC 5297): S2V over AES-CMAC, then AES-CTR, built on JCE's AES so it uses AES-NI.
 * Immutable per key; the JCE cipher objects, which are not thread-safe, come from the caller as
 * {@link Engines} (one per thread).
 */
public final class AesSiv {

    static final int BLOCK = 16;
    private static final byte[] ZERO_BLOCK = new byte[BLOCK];
    private static final IvParameterSpec ZERO_IV = new IvParameterSpec(ZERO_BLOCK);

    private final SecretKeySpec macKey;
    private final SecretKeySpec ctrKey;
    private final byte[] subkey1;
    private final byte[] subkey2;
    /** CMAC(K1, 0^128): the first S2V step, the same for every message under this key. */
    private final byte[] cmacOfZero;

    /**
     * Per-thread JCE objects, a few of each kind, each kept for the last key it saw: a JCE cipher
     * re-expands its AES key whenever the key changes. {@link #create()} keeps two of each, for callers
     * alternating between two keys (a data subject's and the dataset's); {@link #forOneKey()} one, for
     * callers that keep engines per key. CBC stays initialised (zero IV) for its MAC key.
     */
    public static final class Engines {
        private final int slots;
        private final Cipher[] cbc;
        private final SecretKeySpec[] cbcKeys;
        private final Cipher[] ctr;
        private final SecretKeySpec[] ctrKeys;
        private int nextCbc;
        private int nextCtr;

        private Engines(int slots) throws GeneralSecurityException {
            this.slots = slots;
            cbc = new Cipher[slots];
            cbcKeys = new SecretKeySpec[slots];
            ctr = new Cipher[slots];
            ctrKeys = new SecretKeySpec[slots];
            for (int i = 0; i < slots; i++) {
                cbc[i] = Cipher.getInstance("AES/CBC/NoPadding");
                ctr[i] = Cipher.getInstance("AES/CTR/NoPadding");
            }
        }

        public static Engines create() {
            return create(2);
        }

        public static Engines forOneKey() {
            return create(1);
        }

        private static Engines create(int slots) {
            try {
                return new Engines(slots);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JCE AES unavailable", e);
            }
        }

        /** A CBC cipher initialised for {@code key} with a zero IV. */
        Cipher cbcFor(SecretKeySpec key) throws GeneralSecurityException {
            for (int i = 0; i < slots; i++) {
                if (cbcKeys[i] == key) {
                    nextCbc = (i + 1) % slots; // with two slots: the other one is now the least recently used
                    return cbc[i];
                }
            }
            int slot = nextCbc;
            nextCbc = (slot + 1) % slots;
            cbcKeys[slot] = null;
            cbc[slot].init(Cipher.ENCRYPT_MODE, key, ZERO_IV);
            cbcKeys[slot] = key;
            return cbc[slot];
        }

        /** Forgets a CBC cipher whose state is unknown after a failure. */
        void resetCbc() {
            java.util.Arrays.fill(cbcKeys, null);
        }

        /** A CTR cipher that last saw {@code key} if there is one (the caller initialises it). */
        Cipher ctrFor(SecretKeySpec key) {
            for (int i = 0; i < slots; i++) {
                if (ctrKeys[i] == key) {
                    nextCtr = (i + 1) % slots;
                    return ctr[i];
                }
            }
            int slot = nextCtr;
            nextCtr = (slot + 1) % slots;
            ctrKeys[slot] = key;
            return ctr[slot];
        }
    }

    /** One engine per thread for deriving the CMAC subkeys: a JCE lookup per new key cost more than the two blocks. */
    private static final ThreadLocal<Cipher> ECB = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/ECB/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE AES unavailable", e);
        }
    });

    /** @param key 32, 48 or 64 bytes: first half for S2V (MAC), second half for CTR, as in RFC 5297 */
    public AesSiv(byte[] key) {
        if (key.length != 32 && key.length != 48 && key.length != 64) {
            throw new IllegalArgumentException("AES-SIV key must be 32, 48 or 64 bytes, got " + key.length);
        }
        int half = key.length / 2;
        this.macKey = new SecretKeySpec(key, 0, half, "AES");
        this.ctrKey = new SecretKeySpec(key, half, half, "AES");
        try {
            Cipher ecb = ECB.get();
            ecb.init(Cipher.ENCRYPT_MODE, macKey);
            byte[] l = ecb.doFinal(ZERO_BLOCK);
            this.subkey1 = dbl(l);
            this.subkey2 = dbl(subkey1);
            // CMAC of one complete zero block: the block XOR K1 (= K1), encrypted once (no CBC chain to run).
            this.cmacOfZero = ecb.doFinal(subkey1);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCE AES unavailable", e);
        }
    }

    /** Writes V || C (16 + plaintextLength bytes) into {@code out} at {@code outOffset}. */
    public void seal(Engines engines, byte[][] associatedData, byte[] plaintext, int offset, int length, byte[] out,
                     int outOffset) {
        sealAfter(engines, s2vPrefix(engines, associatedData), plaintext, offset, length, out, outOffset);
    }

    /**
     * As {@link #seal(Engines, byte[][], byte[], int, int, byte[], int)}, with the associated data already
     * folded in by {@link #s2vPrefix}: callers sealing many values under the same associated data (a field
     * of every record, under one key) compute that part once.
     */
    public void sealAfter(Engines engines, byte[] prefix, byte[] plaintext, int offset, int length, byte[] out,
                          int outOffset) {
        byte[] v = s2vFinish(engines, prefix, plaintext, offset, length);
        System.arraycopy(v, 0, out, outOffset, BLOCK);
        try {
            Cipher ctr = engines.ctrFor(ctrKey);
            ctr.init(Cipher.ENCRYPT_MODE, ctrKey, new IvParameterSpec(counterBlock(v)));
            ctr.doFinal(plaintext, offset, length, out, outOffset + BLOCK);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed", e);
        }
    }

    public byte[] seal(Engines engines, byte[][] associatedData, byte[] plaintext) {
        byte[] out = new byte[BLOCK + plaintext.length];
        seal(engines, associatedData, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /** Opens V || C; throws AEADBadTagException (and returns nothing) if V does not verify. */
    public byte[] open(Engines engines, byte[][] associatedData, byte[] input, int offset, int length)
            throws AEADBadTagException {
        if (length < BLOCK) {
            throw new AEADBadTagException("AES-SIV input shorter than its 16-byte synthetic IV");
        }
        byte[] v = Arrays.copyOfRange(input, offset, offset + BLOCK);
        byte[] plaintext;
        try {
            Cipher ctr = engines.ctrFor(ctrKey);
            ctr.init(Cipher.DECRYPT_MODE, ctrKey, new IvParameterSpec(counterBlock(v)));
            plaintext = ctr.doFinal(input, offset + BLOCK, length - BLOCK);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed", e);
        }
        byte[] expected = s2v(engines, associatedData, plaintext, 0, plaintext.length);
        if (!MessageDigest.isEqual(expected, v)) {
            Arrays.fill(plaintext, (byte) 0);
            throw new AEADBadTagException("AES-SIV synthetic IV mismatch");
        }
        return plaintext;
    }

    /** RFC 5297 section 2.4. */
    byte[] s2v(Engines engines, byte[][] associatedData, byte[] plaintext, int offset, int length) {
        return s2vFinish(engines, s2vPrefix(engines, associatedData), plaintext, offset, length);
    }

    /** S2V's running value D after the associated-data components: it depends on the key and them only. */
    public byte[] s2vPrefix(Engines engines, byte[][] associatedData) {
        byte[] d = cmacOfZero.clone();
        for (byte[] component : associatedData) {
            d = dbl(d);
            xorInto(d, 0, cmac(engines, component, 0, component.length), 0, BLOCK);
        }
        return d;
    }

    /** S2V's last step, over the plaintext, from a prefix (not modified). */
    private byte[] s2vFinish(Engines engines, byte[] d, byte[] plaintext, int offset, int length) {
        byte[] t;
        if (length >= BLOCK) {
            t = Arrays.copyOfRange(plaintext, offset, offset + length);
            xorInto(t, length - BLOCK, d, 0, BLOCK);
        } else {
            t = dbl(d);
            for (int i = 0; i < length; i++) {
                t[i] ^= plaintext[offset + i];
            }
            t[length] ^= (byte) 0x80;
        }
        return cmac(engines, t, 0, t.length);
    }

    /** AES-CMAC (RFC 4493) as CBC-MAC with the last block tweaked by a subkey. */
    byte[] cmac(Engines engines, byte[] message, int offset, int length) {
        int blocks = length == 0 ? 1 : (length + BLOCK - 1) / BLOCK;
        boolean lastBlockComplete = length > 0 && length % BLOCK == 0;
        byte[] buffer = new byte[blocks * BLOCK];
        System.arraycopy(message, offset, buffer, 0, length);
        int last = (blocks - 1) * BLOCK;
        if (lastBlockComplete) {
            xorInto(buffer, last, subkey1, 0, BLOCK);
        } else {
            buffer[length] = (byte) 0x80;
            xorInto(buffer, last, subkey2, 0, BLOCK);
        }
        try {
            // doFinal returns the cipher to its initialised state (zero IV), so it can be reused as is.
            engines.cbcFor(macKey).doFinal(buffer, 0, buffer.length, buffer, 0);
        } catch (GeneralSecurityException e) {
            engines.resetCbc();
            throw new IllegalStateException("AES-CBC failed", e);
        }
        return Arrays.copyOfRange(buffer, last, last + BLOCK);
    }

    /** Q = V with bits 63 and 31 cleared (RFC 5297 section 2.6). */
    private static byte[] counterBlock(byte[] v) {
        byte[] q = v.clone();
        q[8] &= 0x7f;
        q[12] &= 0x7f;
        return q;
    }

    /** Doubling in GF(2^128) (RFC 5297 section 2.3). */
    static byte[] dbl(byte[] block) {
        byte[] out = new byte[BLOCK];
        int carry = 0;
        for (int i = BLOCK - 1; i >= 0; i--) {
            int b = block[i] & 0xff;
            out[i] = (byte) ((b << 1) | carry);
            carry = b >>> 7;
        }
        if (carry != 0) {
            out[BLOCK - 1] ^= (byte) 0x87;
        }
        return out;
    }

    private static void xorInto(byte[] target, int targetOffset, byte[] source, int sourceOffset, int length) {
        for (int i = 0; i < length; i++) {
            target[targetOffset + i] ^= source[sourceOffset + i];
        }
    }
}
