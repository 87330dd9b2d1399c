package io.securelake.encryption;

import io.securelake.encryption.core.CiphertextFormat;
import io.securelake.encryption.core.DefaultKeyAdministration;
import io.securelake.encryption.core.DirectoryDekRepository;
import io.securelake.encryption.core.EnvelopeFieldCipher;
import io.securelake.encryption.core.JsonRecordCipher;
import io.securelake.encryption.core.SubjectRefs;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Entry point of the encryption API: builds the implementations behind its interfaces, so callers outside this
 * module never name a class of {@code core} (an architecture test holds them to it) and {@code core} can change.
 */
public final class FieldEncryption {

    private FieldEncryption() {
    }

    public static FieldCipher fieldCipher(EncryptionSettings settings, KekProvider kekProvider,
                                          DekRepository repository) {
        return new EnvelopeFieldCipher(settings, kekProvider, repository);
    }

    public static RecordCipher recordCipher(FieldCipher fieldCipher) {
        return new JsonRecordCipher(fieldCipher);
    }

    /** Wrapped data keys kept as owner-only files under {@code directory}, one sub-directory per KEK. */
    public static DekRepository directoryRepository(Path directory) {
        return new DirectoryDekRepository(directory);
    }

    /** Key life-cycle operations over the given KEK provider and data-key repository. */
    public static KeyAdministration keyAdministration(KekProvider kekProvider, DekRepository repository, Clock clock) {
        return new DefaultKeyAdministration(kekProvider, repository, clock, List.of());
    }

    /**
     * The pseudonym under which a data subject's key is stored for a KEK (a keyed hash of the subject id): what the
     * repository lists and what a shred names, never the id in clear.
     */
    public static String subjectKeyReference(String kekName, String subjectId) {
        return SubjectRefs.sharedName(kekName, subjectId);
    }

    /** A ciphertext as the text carried in JSON events and Kafka keys (unpadded URL-safe base64). */
    public static String ciphertextText(byte[] ciphertext) {
        return CiphertextFormat.toText(ciphertext);
    }
}
