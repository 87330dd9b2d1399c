package io.securelake.encryption;

/** What a DEK is used for; decides how it is found, wrapped and rotated. */
public enum DekScope {
    /** Private to one writer for randomized mode; retired by age and use count. Wrapped by the KMS. */
    ROLLING,
    /** Shared by all writers of a dataset for deterministic mode; stable so equal values stay equal. Wrapped by the KMS. */
    DETERMINISTIC,
    /**
     * Shared by all writers for one data subject (both modes); destroyed to shred the subject. New ones are
     * {@link LocalWrap sealed locally} under the dataset's current wrapping key (keys made before the hierarchy
     * existed are wrapped by the KMS and stay readable).
     */
    SUBJECT,
    /**
     * A dataset's key for sealing subject keys: generated and wrapped by the KMS, one per dataset per period
     * (EncryptionSettings.wrappingKeyPeriod), shared by all writers of the period. Encrypts no field itself.
     */
    WRAPPING
}
