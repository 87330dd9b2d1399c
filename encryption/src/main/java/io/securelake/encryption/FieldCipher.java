package io.securelake.encryption;

/**
 * Encrypts and decrypts single field values. Thread-safe; one instance per process and environment is
 * the intended use (it owns the DEK cache). Every failure is a {@link FieldEncryptionException} subclass
 * naming what failed; decryption never returns unauthenticated bytes.
 */
public interface FieldCipher extends AutoCloseable {

    /** Encrypts under the dataset's current DEK for the mode. */
    byte[] encrypt(byte[] plaintext, EncryptionContext context, EncryptionMode mode);

    /**
     * Encrypts under the data subject's own DEK (crypto-shredding). {@code subjectId} null means no subject
     * (same as {@link #encrypt(byte[], EncryptionContext, EncryptionMode)}).
     */
    byte[] encrypt(byte[] plaintext, EncryptionContext context, EncryptionMode mode, String subjectId);

    /**
     * Readies the data subject's own DEK for {@code context}'s dataset without making the caller wait for a remote
     * key registry: completes at once for a subject whose key this process knows (or that is destroyed: encrypting
     * then fails as usual), otherwise when a new key for the subject is made, stored durably and decided (another
     * writer may have registered one first). Then {@link #encrypt(byte[], EncryptionContext, EncryptionMode, String)}
     * for the subject needs no registry round trip. Fails with the {@link FieldEncryptionException} that encrypting
     * would throw.
     */
    java.util.concurrent.CompletableFuture<Void> prepareSubjectKey(EncryptionContext context, String subjectId);

    /** Decrypts a ciphertext produced for exactly this context. */
    byte[] decrypt(byte[] ciphertext, EncryptionContext context);

    /** Text form for JSON strings and similar: unpadded base64url (RFC 4648 section 5) of the binary form. */
    String encryptToText(byte[] plaintext, EncryptionContext context, EncryptionMode mode, String subjectId);

    byte[] decryptText(String ciphertext, EncryptionContext context);

    /** Drops cached DEKs and active DEK choices for one KEK, e.g. after it was rolled or a subject shredded. */
    void invalidate(String kekName);

    CipherStats stats();

    @Override
    void close();
}
