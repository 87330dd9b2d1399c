package io.securelake.operations;

import io.securelake.kerberos.KerberosDiagnostics;
import io.securelake.kerberos.KerberosProblem;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;

/**
 * Turns what Kafka, Hadoop and the JDK throw at a refused client into one sentence saying what was
 * refused and why. The raw exceptions are correct but cryptic (a PLAINTEXT client only sees a timeout;
 * Hadoop prints the server's stack trace into the message).
 */
public final class UserFacingErrors {
    private UserFacingErrors() {
    }

    public static String explain(Throwable t) {
        List<Throwable> chain = chain(t);
        for (Throwable c : chain) {
            if (c instanceof TopicAuthorizationException e) {
                return "Kafka refused access to topic(s) " + e.unauthorizedTopics()
                        + ": no ACL or policy grants this principal that operation (deny by default)";
            }
            if (c instanceof GroupAuthorizationException e) {
                return "Kafka refused the consumer group '" + e.groupId()
                        + "': no ACL or policy grants this principal READ on it (deny by default)";
            }
            if (c instanceof AuthorizationException e) {
                return "Kafka refused the request: " + e.getMessage();
            }
            if (c instanceof UnsupportedSaslMechanismException) {
                return "Kafka refused the SASL mechanism: the brokers accept only GSSAPI (Kerberos) [" + c.getMessage() + "]";
            }
            if (c instanceof SslAuthenticationException) {
                return "TLS handshake with Kafka failed: the client must use SASL_SSL and trust the stack's CA (truststore or ca.pem) ["
                        + firstLine(c.getMessage()) + "]";
            }
            if (c instanceof SaslAuthenticationException || c instanceof IllegalSaslStateException) {
                KerberosProblem p = KerberosDiagnostics.classify(c);
                return "Kafka refused authentication: " + (p == KerberosProblem.UNKNOWN
                        ? firstLine(c.getMessage()) : KerberosDiagnostics.explain(p, c));
            }
            if (c instanceof org.apache.kafka.common.errors.TimeoutException) {
                return "Kafka did not answer in time: the broker may be down (securelake status), or the client does not "
                        + "speak SASL_SSL with GSSAPI to it (a PLAINTEXT client gets no answer, only this timeout) ["
                        + firstLine(c.getMessage()) + "]";
            }
            if (c instanceof org.apache.hadoop.security.AccessControlException e) {
                String msg = firstLine(e.getMessage());
                if (msg.contains("Client cannot authenticate via")) {
                    return "HDFS refused an unauthenticated client: no Kerberos credentials (kinit, or a keytab login) [" + msg + "]";
                }
                return "HDFS refused the request: " + msg;
            }
        }
        KerberosProblem p = KerberosDiagnostics.classify(t);
        if (p != KerberosProblem.UNKNOWN) {
            return KerberosDiagnostics.explain(p, t);
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : firstLine(t.getMessage());
        return msg;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }

    private static List<Throwable> chain(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
