package io.securelake.operations.keys;

/**
 * @param subjectRef the pseudonym the subject's DEK is filed under (the clear subject id is never stored)
 * @param destroyed  false if the subject had no live DEK under the KEK (nothing encrypted, or already shredded)
 */
public record ShredResult(String kekName, String subjectRef, boolean destroyed) {
}
