package io.securelake.encryption.core;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * One key's JCE objects, owned by one thread; each made when first needed. Also the associated data each
 * field context gives under this key (header || context, for GCM) and its S2V prefix (for SIV): both
 * depend on the key and the field only, yet were rebuilt for every value.
 */
final class KeyEngines {
    static final int CONTEXTS = 8;
    Cipher gcm;
    AesSiv.Engines siv;
    final Object[] contexts = new Object[CONTEXTS];
    final byte[][] gcmAads = new byte[CONTEXTS][];
    final byte[][] sivPrefixes = new byte[CONTEXTS][];
    int nextContext;

    /** The engines now serve another key: what was computed under the old one must go. */
    void reassign() {
        java.util.Arrays.fill(contexts, null);
        java.util.Arrays.fill(gcmAads, null);
        java.util.Arrays.fill(sivPrefixes, null);
    }

    /** The slot of a field context (compared by identity: one {@code ContextInfo} per context). */
    int slot(Object context) {
        for (int i = 0; i < CONTEXTS; i++) {
            if (contexts[i] == context) {
                return i;
            }
        }
        int i = nextContext;
        nextContext = (i + 1) % CONTEXTS;
        contexts[i] = context;
        gcmAads[i] = null;
        sivPrefixes[i] = null;
        return i;
    }

    Cipher gcm() {
        if (gcm == null) {
            try {
                gcm = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("JCE AES/GCM/NoPadding unavailable", e);
            }
        }
        return gcm;
    }

    AesSiv.Engines siv() {
        if (siv == null) {
            siv = AesSiv.Engines.forOneKey();
        }
        return siv;
    }
}
