package io.securelake.encryption;

import java.util.List;

/** Key life-cycle operations; the later {@code securelake keys ...} CLI and audit sit on top of this. */
public interface KeyAdministration {

    List<String> listKeks();

    /** Creates the KEK {@code <environment>.<dataset>}; returns its version name. */
    String createKek(String kekName);

    /** New writes use the new version at once in this process; old data keeps decrypting. */
    String rollKek(String kekName);

    /**
     * Re-wraps every DEK the KMS wraps under the KEK's current version (rolling, deterministic and wrapping keys, and
     * subject keys made before wrapping keys existed); data is not touched. Subject keys sealed under a wrapping key
     * move with it. A DEK shredded meanwhile stays shredded.
     */
    RewrapReport rewrap(String kekName);

    /** Destroys one data subject's DEK under one KEK: exactly that subject's fields become unreadable. */
    boolean shredSubject(String kekName, String subjectId);

    /**
     * @param rewrapped DEKs moved to the current version
     * @param unchanged DEKs already under it
     * @param destroyed tombstones skipped (also those shredded while the re-wrap ran)
     * @param sealed    subject keys sealed under a wrapping key (they need no re-wrap of their own)
     */
    record RewrapReport(String kekName, String currentVersionName, int rewrapped, int unchanged, int destroyed,
                        int sealed) {
    }
}
