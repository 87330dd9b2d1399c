package io.securelake.kerberos;

import java.nio.charset.StandardCharsets;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import javax.security.auth.Subject;
import org.ietf.jgss.GSSContext;
import org.ietf.jgss.GSSCredential;
import org.ietf.jgss.GSSException;
import org.ietf.jgss.GSSManager;
import org.ietf.jgss.GSSName;
import org.ietf.jgss.MessageProp;
import org.ietf.jgss.Oid;

/** Test helper: a real GSS-API Kerberos handshake between two Subjects, tokens passed in memory. */
final class Gss {

    static final Oid KRB5;

    static {
        try {
            KRB5 = new Oid("1.2.840.113554.1.2.2");
        } catch (GSSException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Gss() {
    }

    /** What the acceptor learnt: the authenticated client and a message it unwrapped. */
    record Result(String clientName, String message) {
    }

    /**
     * Client in {@code client} authenticates to service {@code service@host} (host-based name, as real clients
     * build it); the acceptor in {@code server} verifies, then unwraps a message sealed by the client.
     */
    static Result handshake(Subject client, Subject server, String service, String host) throws Exception {
        GSSManager manager = GSSManager.getInstance();
        GSSName target = manager.createName(service + "@" + host, GSSName.NT_HOSTBASED_SERVICE);
        GSSContext initiator = as(client, () -> {
            GSSContext c = manager.createContext(target, KRB5, null, GSSContext.DEFAULT_LIFETIME);
            c.requestMutualAuth(true);
            c.requestConf(true);
            c.requestInteg(true);
            return c;
        });
        GSSContext acceptor = as(server, () -> manager.createContext(
                manager.createCredential(null, GSSCredential.INDEFINITE_LIFETIME, KRB5, GSSCredential.ACCEPT_ONLY)));
        try {
            byte[] token = new byte[0];
            while (!initiator.isEstablished() || !acceptor.isEstablished()) {
                if (!initiator.isEstablished()) {
                    byte[] in = token;
                    token = as(client, () -> initiator.initSecContext(in, 0, in.length));
                }
                if (token != null && !acceptor.isEstablished()) {
                    byte[] in = token;
                    token = as(server, () -> acceptor.acceptSecContext(in, 0, in.length));
                }
                if (token == null) {
                    token = new byte[0];
                }
            }
            byte[] plain = "hello from the client".getBytes(StandardCharsets.UTF_8);
            byte[] sealed = initiator.wrap(plain, 0, plain.length, new MessageProp(0, true));
            byte[] opened = acceptor.unwrap(sealed, 0, sealed.length, new MessageProp(0, true));
            return new Result(acceptor.getSrcName().toString(), new String(opened, StandardCharsets.UTF_8));
        } finally {
            initiator.dispose();
            acceptor.dispose();
        }
    }

    /** Client side only: obtain a service ticket and produce the first token (what a client does before sending). */
    static byte[] initiate(Subject client, String service, String host) throws Exception {
        GSSManager manager = GSSManager.getInstance();
        GSSName target = manager.createName(service + "@" + host, GSSName.NT_HOSTBASED_SERVICE);
        return as(client, () -> {
            GSSContext c = manager.createContext(target, KRB5, null, GSSContext.DEFAULT_LIFETIME);
            try {
                return c.initSecContext(new byte[0], 0, 0);
            } finally {
                c.dispose();
            }
        });
    }

    /** Like {@link #initiate} with whatever Subject is in effect (inside a doAs). */
    static byte[] initiateAsCurrentSubject(String service, String host) throws GSSException {
        GSSManager manager = GSSManager.getInstance();
        GSSName target = manager.createName(service + "@" + host, GSSName.NT_HOSTBASED_SERVICE);
        GSSContext c = manager.createContext(target, KRB5, null, GSSContext.DEFAULT_LIFETIME);
        try {
            return c.initSecContext(new byte[0], 0, 0);
        } finally {
            c.dispose();
        }
    }

    static <T> T as(Subject subject, PrivilegedExceptionAction<T> action) throws Exception {
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
