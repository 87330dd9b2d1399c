package io.securelake.encryption;

import java.util.List;

/**
 * SPI to whatever holds the KEKs (a keystore file, Hadoop KMS, Ranger KMS). KEK material never leaves
 * the provider: only DEKs are generated, unwrapped and re-wrapped through it. Implementations throw
 * {@link KekNotFoundException}, {@link KeyAccessDeniedException} or {@link KeyProviderException}.
 */
public interface KekProvider extends AutoCloseable {

    /** A new random DEK wrapped by the current version of {@code kekName}. */
    GeneratedDek generateDek(String kekName);

    /** The DEK material of a wrapped DEK. */
    byte[] unwrapDek(WrappedDek wrapped);

    /** The same DEK wrapped by the current version of its KEK; the material is not exposed. */
    WrappedDek rewrapDek(WrappedDek wrapped);

    /** Current version name of a KEK, e.g. {@code dev.payments@3}. */
    String currentVersionName(String kekName);

    // Administration (used by KeyAdministration; a later CLI sits on top).

    List<String> listKekNames();

    /** Creates a 256-bit AES KEK; returns its first version name. */
    String createKek(String kekName);

    /** Adds a new version of the KEK that becomes current; returns its version name. */
    String rollKek(String kekName);

    @Override
    void close();
}
