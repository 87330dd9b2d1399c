package io.securelake.knox;

import org.apache.http.impl.auth.SPNegoScheme;
import org.ietf.jgss.GSSException;

/**
 * SPNEGO without the port and without canonicalising the host ({@link AsWrittenSpnegoClient}); like Knox's own
 * scheme, no two tokens are made in the same nanosecond (the backend's replay cache would refuse the second
 * authenticator).
 */
final class AsWrittenSpnegoScheme extends SPNegoScheme {
    private static long lastToken;

    AsWrittenSpnegoScheme() {
        super(true, false);
    }

    @Override
    protected byte[] generateToken(byte[] input, String authServer, org.apache.http.auth.Credentials credentials)
            throws GSSException {
        synchronized (AsWrittenSpnegoScheme.class) {
            long now = System.nanoTime();
            while (now == lastToken) {
                Thread.onSpinWait();
                now = System.nanoTime();
            }
            lastToken = now;
            return super.generateToken(input, authServer, credentials);
        }
    }
}
