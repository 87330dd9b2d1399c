package io.securelake.encryption.core;

import io.securelake.encryption.DekRepository;
import io.securelake.encryption.EncryptionSettings;
import io.securelake.encryption.FieldCipher;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.RecordCipher;

/** Entry point: builds the implementations behind the API interfaces. */
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
}
