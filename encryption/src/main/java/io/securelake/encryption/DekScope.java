package io.securelake.encryption;

/** What a DEK is used for; decides how it is found and rotated. */
public enum DekScope {
    /** Private to one writer for randomized mode; retired by age and use count. */
    ROLLING,
    /** Shared by all writers of a dataset for deterministic mode; stable so equal values stay equal. */
    DETERMINISTIC,
    /** Shared by all writers for one data subject (both modes); destroyed to shred the subject. */
    SUBJECT
}
