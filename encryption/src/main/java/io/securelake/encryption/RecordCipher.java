package io.securelake.encryption;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Encrypts and decrypts the classified fields of JSON records. Unclassified fields are untouched; classified
 * values of any JSON type (string, number, boolean, null, object, array) come back with their type.
 */
public interface RecordCipher {

    /** @return a copy of {@code record} whose classified fields are replaced by ciphertext strings */
    ObjectNode encrypt(ObjectNode record, RecordSchema schema);

    /**
     * @return a copy of {@code record} with classified fields decrypted
     * @throws NotEncryptedException if a classified field holds a clear value (never passed through)
     */
    ObjectNode decrypt(ObjectNode record, RecordSchema schema);

    /**
     * The binary ciphertext (docs/encryption-format.md section 2) of each classified field present in
     * {@code record}, by path, in the schema's order; {@code record} is not changed. For writers of binary
     * formats (Avro {@code bytes}), which need neither the text form nor a copy of the record.
     */
    java.util.Map<String, byte[]> encryptFields(ObjectNode record, RecordSchema schema);

    /**
     * Readies the key {@code record}'s subject needs ({@link FieldCipher#prepareSubjectKey}) without making the caller
     * wait for a remote key registry. Completes at once when the schema has no subject field, the record names no
     * subject (encrypting then refuses it), or no field other than the subject's is classified.
     */
    java.util.concurrent.CompletableFuture<Void> prepareSubjectKey(ObjectNode record, RecordSchema schema);

    /** In-place variants for pipelines that own the record; avoid a deep copy. */
    void encryptInPlace(ObjectNode record, RecordSchema schema);

    void decryptInPlace(ObjectNode record, RecordSchema schema);
}
