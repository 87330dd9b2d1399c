package io.securelake.encryption;

/**
 * Told by a {@link DekRepository} that a stored DEK changed (re-wrapped or destroyed) as soon as the repository
 * learns of it, whichever process made the change: how a shredded key stops being used by running processes
 * without waiting for a cache to expire. Called from the repository's own thread; must be quick and not throw.
 */
public interface DekChangeListener {

    /** The DEK {@code id} of {@code kekName} has a new revision. */
    void changed(String kekName, DekId id);

    /** Changes may have been missed (e.g. a notification queue overflowed): forget everything cached. */
    void changedAll();
}
