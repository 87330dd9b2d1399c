package io.securelake.encryption;

import java.util.List;
import java.util.Optional;

/**
 * SPI to where wrapped DEKs live, shared by all writers and readers of an environment. It holds no clear
 * key material. Implementations must be safe for concurrent use.
 */
public interface DekRepository extends AutoCloseable {

    Optional<StoredDek> find(String kekName, DekId id);

    /** Stores a new DEK; throws IllegalStateException if the id is taken. */
    void insert(StoredDek dek);

    Optional<StoredDek> findShared(String kekName, String sharedName);

    /**
     * Makes {@code dek} the shared DEK named {@code dek.sharedName()} unless one exists already (another
     * writer won the race, or it was destroyed); returns the one that is now registered.
     */
    StoredDek insertShared(StoredDek dek);

    /** Replaces the wrapping of an existing, not destroyed DEK (re-wrap); the data is untouched. */
    void replace(StoredDek dek);

    List<StoredDek> list(String kekName);

    @Override
    default void close() {
    }
}
