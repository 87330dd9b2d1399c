package io.securelake.encryption.core;

import java.util.LinkedHashMap;

/**
 * One thread's JCE objects (they are not thread-safe), kept per key: a JCE cipher re-expands its AES key
 * whenever it is given another one, and with a key per data subject consecutive records rarely share a
 * key, so the expansion was a large part of a field's cost. The least recently used keys' engines are
 * dropped beyond the bound. Also remembers the last subject key looked up: a record's fields share it.
 * Holds no reference to the cipher, so a thread outliving the cipher does not keep it alive. Its fields are the
 * cipher's to use, from the owning thread only.
 */
final class ThreadState {
    final LinkedHashMap<DekKeys, KeyEngines> engines;
    long generation;
    String lastKekName;
    String lastSubjectId;
    DekKeys lastSubjectKeys;
    long lastSubjectValidUntil;

    final int maxKeys;

    ThreadState(int maxKeys) {
        this.maxKeys = maxKeys;
        this.engines = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Forgets everything when keys were invalidated since this thread last looked. */
    ThreadState sync(long currentGeneration) {
        if (generation != currentGeneration) {
            engines.clear();
            lastSubjectKeys = null;
            lastKekName = null;
            lastSubjectId = null;
            generation = currentGeneration;
        }
        return this;
    }

    KeyEngines enginesFor(DekKeys keys) {
        KeyEngines e = engines.get(keys); // DekKeys has identity equality: one instance per cached DEK
        if (e == null) {
            if (engines.size() >= maxKeys) {
                // Reuse the least recently used key's JCE objects: creating them costs more than re-keying.
                var eldest = engines.entrySet().iterator();
                e = eldest.next().getValue();
                eldest.remove();
                e.reassign();
            } else {
                e = new KeyEngines();
            }
            engines.put(keys, e);
        }
        return e;
    }
}
