package io.securelake.encryption.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names under which a subject's DEK is stored. The subject id (often itself PII, e.g. a customer id) is
 * hashed so the DEK repository does not list it in clear; it is a pseudonym, not a secret.
 */
public final class SubjectRefs {

    public static final String DETERMINISTIC_SHARED_NAME = "deterministic";
    private static final String SUBJECT_PREFIX = "subject/";

    private SubjectRefs() {
    }

    public static String sharedName(String kekName, String subjectId) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("securelake/v1 subject".getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            sha256.update(kekName.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            byte[] digest = sha256.digest(subjectId.getBytes(StandardCharsets.UTF_8));
            return SUBJECT_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
