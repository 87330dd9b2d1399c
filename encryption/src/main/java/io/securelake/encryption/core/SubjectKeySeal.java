package io.securelake.encryption.core;

import io.securelake.encryption.DekId;
import io.securelake.encryption.LocalWrap;
import io.securelake.encryption.WrongKeyException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals a subject key under a dataset's wrapping key, locally: AES-256-GCM with a key derived from the wrapping key
 * (HKDF-SHA256, its own label), a random nonce, and associated data binding the seal to the KEK, the subject key's id,
 * the wrapping key's id and the subject's shared name, so a sealed key copied to another entry does not open.
 * docs/encryption-format.md §6 specifies it.
 */
final class SubjectKeySeal {

    static final String SEAL_LABEL = "securelake/v1 subject-key-seal";
    private static final String AAD_LABEL = "securelake/v1 subject-key";
    static final int NONCE_LENGTH = 12;

    /** A wrapping key ready to seal and open: its id, the KEK version it was made under, and its sealing key. */
    record WrappingKey(String kekName, DekId id, int originKekVersion, SecretKeySpec sealKey) {
    }

    /** One engine per thread: a JCE lookup per new subject key cost more than the sealing. */
    private static final ThreadLocal<Cipher> GCM = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable for sealing subject keys", e);
        }
    });

    private SubjectKeySeal() {
    }

    /** Derives the sealing key from a wrapping key's material; the caller wipes {@code material}. */
    static WrappingKey wrappingKey(String kekName, DekId id, int originKekVersion, byte[] material) {
        byte[] prk = Hkdf.extract(null, material);
        byte[] key = Hkdf.expand(prk, DekKeys.info(SEAL_LABEL, kekName, id), 32);
        try {
            return new WrappingKey(kekName, id, originKekVersion, new SecretKeySpec(key, "AES"));
        } finally {
            Arrays.fill(prk, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }

    static LocalWrap seal(WrappingKey wrapping, DekId subjectKey, String sharedName, byte[] material, NonceSource nonces) {
        byte[] nonce = new byte[NONCE_LENGTH];
        nonces.next(nonce, 0, NONCE_LENGTH);
        try {
            Cipher gcm = GCM.get();
            gcm.init(Cipher.ENCRYPT_MODE, wrapping.sealKey(), new GCMParameterSpec(128, nonce));
            gcm.updateAAD(aad(wrapping, subjectKey, sharedName));
            return new LocalWrap(wrapping.id(), nonce, gcm.doFinal(material));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable for sealing a subject key", e);
        }
    }

    /** The subject key's material; the caller wipes it. */
    static byte[] open(WrappingKey wrapping, DekId subjectKey, String sharedName, LocalWrap seal) {
        try {
            Cipher gcm = GCM.get();
            gcm.init(Cipher.DECRYPT_MODE, wrapping.sealKey(), new GCMParameterSpec(128, seal.nonce()));
            gcm.updateAAD(aad(wrapping, subjectKey, sharedName));
            return gcm.doFinal(seal.sealed());
        } catch (AEADBadTagException e) {
            throw new WrongKeyException("subject key " + subjectKey + " of KEK " + wrapping.kekName()
                    + " does not open under its wrapping key " + wrapping.id() + ": the stored entry was altered or"
                    + " copied from another one", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable for opening a subject key", e);
        }
    }

    private static byte[] aad(WrappingKey wrapping, DekId subjectKey, String sharedName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(AAD_LABEL.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(wrapping.kekName().getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(16).putLong(subjectKey.value()).putLong(wrapping.id().value()).array());
        out.writeBytes(sharedName.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
