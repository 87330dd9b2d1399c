package io.securelake.encryption;

/**
 * Counters since the cipher was created.
 *
 * @param kmsCalls        calls to the KEK provider (generate, unwrap, re-wrap): each may be a KMS round trip
 * @param dekCacheHits    decrypt-side DEK lookups served from memory
 * @param dekCacheMisses  decrypt-side DEK lookups that went to the repository and provider
 * @param fieldsEncrypted fields encrypted
 * @param fieldsDecrypted fields decrypted successfully
 */
public record CipherStats(long kmsCalls, long dekCacheHits, long dekCacheMisses, long fieldsEncrypted,
                          long fieldsDecrypted) {

    /** KMS calls per million fields processed (encrypted plus decrypted). */
    public double kmsCallsPerMillionFields() {
        long fields = fieldsEncrypted + fieldsDecrypted;
        return fields == 0 ? 0 : kmsCalls * 1_000_000.0 / fields;
    }
}
