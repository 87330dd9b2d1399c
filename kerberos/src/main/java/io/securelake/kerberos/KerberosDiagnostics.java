package io.securelake.kerberos;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.ietf.jgss.GSSException;

/**
 * Turns the JDK's Kerberos and GSS errors into what is wrong and what to do.
 *
 * <p>The JDK's {@code sun.security.krb5.KrbException} is not exported, so its return code is read from the message,
 * which always ends with it in parentheses, e.g. {@code "Server not found in Kerberos database (7)"}.
 */
public final class KerberosDiagnostics {

    private KerberosDiagnostics() {
    }

    /** Classifies {@code t} by walking its cause chain. */
    public static KerberosProblem classify(Throwable t) {
        if (t == null) {
            return KerberosProblem.UNKNOWN;
        }
        if (t instanceof KerberosLoginException kle) {
            return kle.problem();
        }
        List<Throwable> chain = chain(t);
        String text = messages(chain);
        // Most specific first: a GSSException "No valid credentials" often wraps a precise KDC error.
        if (containsAny(text, "cannot locate kdc", "unable to locate kdc") || kdcNetworkFailure(chain)) {
            return KerberosProblem.KDC_UNREACHABLE;
        }
        if (containsAny(text, "clock skew too great", "(37)")) {
            return KerberosProblem.CLOCK_SKEW;
        }
        if (containsAny(text, "server not found in kerberos database", "(7)")) {
            return KerberosProblem.UNKNOWN_SERVICE_PRINCIPAL;
        }
        if (containsAny(text, "client not found in kerberos database", "(6)")) {
            return KerberosProblem.UNKNOWN_CLIENT_PRINCIPAL;
        }
        // Before the key checks: Kerby reports failed pre-authentication as "(31) - PREAUTH_FAILED", MIT as (24).
        if (containsAny(text, "pre-authentication information was invalid", "(24)", "preauth_failed",
                "preauthentication failed")) {
            return KerberosProblem.PREAUTH_FAILED;
        }
        // Not "(906)": the JDK chains an Asn1Exception (906) under every error reply of a KDC.
        if (containsAny(text, "specified version of key is not available", "(44)", "checksum failed",
                "message stream modified", "(41)", "integrity check on decrypted field failed", "(31)",
                "cannot find key")) {
            return KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB;
        }
        if (containsAny(text, "ticket expired", "(32)", "tgt expired", "ticket is expired")) {
            return KerberosProblem.TICKET_EXPIRED;
        }
        if (containsAny(text, "failed to find any kerberos tgt", "unable to obtain password from user",
                "unable to obtain principal name for authentication", "no valid credentials provided")) {
            return KerberosProblem.NO_TICKET;
        }
        for (Throwable c : chain) {
            if (c instanceof GSSException g) {
                switch (g.getMajor()) {
                    case GSSException.CREDENTIALS_EXPIRED, GSSException.CONTEXT_EXPIRED:
                        return KerberosProblem.TICKET_EXPIRED;
                    case GSSException.NO_CRED:
                        return KerberosProblem.NO_TICKET;
                    case GSSException.BAD_MIC:
                        return KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB;
                    default:
                        break;
                }
            }
        }
        return KerberosProblem.UNKNOWN;
    }

    /** One or two sentences for users: what is wrong, what to do, then the original message briefly. */
    public static String explain(Throwable t) {
        return explain(classify(t), t);
    }

    /** Like {@link #explain(Throwable)} for a problem the caller already knows better (e.g. from context). */
    public static String explain(KerberosProblem problem, Throwable t) {
        String advice = switch (problem) {
            case NO_TICKET -> "no Kerberos ticket: run kinit -kt <keytab> <principal> (or kinit <principal> with a"
                    + " password) or configure a keytab login; if a login did happen, the code is not running as its"
                    + " Subject (use doAs)";
            case TICKET_EXPIRED -> "the Kerberos ticket has expired and nothing renewed it: log in again (kinit), or"
                    + " use a keytab login that re-logs in before expiry";
            case WRONG_KEY_OR_STALE_KEYTAB -> "the keytab's key does not match the KDC (key version mismatch or stale"
                    + " keytab: the key was regenerated, e.g. the principal was re-created); export a fresh keytab";
            case UNKNOWN_CLIENT_PRINCIPAL -> "the KDC does not know this client principal: check the principal name"
                    + " and realm (they are case-sensitive) or create the principal";
            case UNKNOWN_SERVICE_PRINCIPAL -> "the KDC does not know the service principal: clients derive it from"
                    + " the host name they dial (service/host@REALM); use the host name in the service principal"
                    + " (localhost on the local stack) and dial that same name";
            case CLOCK_SKEW -> "clocks differ by more than the allowed skew (5 minutes by default): synchronise the"
                    + " clocks of client, KDC and service (NTP)";
            case KDC_UNREACHABLE -> "no KDC answered: check the kdc address and port in krb5.conf and that the KDC"
                    + " runs; against a TCP-only KDC set udp_preference_limit = 1";
            case PREAUTH_FAILED -> "pre-authentication failed: wrong password, or a keytab whose key is no longer"
                    + " the KDC's (export a fresh keytab)";
            case UNKNOWN -> "unrecognised Kerberos error";
        };
        return advice + " [" + summary(t) + "]";
    }

    /** The innermost distinct messages, shortened: enough to search for, not a stack trace. */
    static String summary(Throwable t) {
        if (t == null) {
            return "no error";
        }
        List<Throwable> chain = chain(t);
        String last = null;
        List<String> parts = new ArrayList<>();
        for (Throwable c : chain) {
            String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage().strip();
            if (last == null || !last.contains(m)) {
                parts.add(c.getClass().getSimpleName() + ": " + m);
            }
            last = m;
        }
        String joined = String.join(" <- ", parts);
        return joined.length() > 400 ? joined.substring(0, 397) + "..." : joined;
    }

    private static List<Throwable> chain(Throwable t) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }

    private static String messages(List<Throwable> chain) {
        StringBuilder s = new StringBuilder();
        for (Throwable c : chain) {
            if (c.getMessage() != null) {
                s.append(c.getMessage().toLowerCase(Locale.ROOT)).append('\n');
            }
        }
        return s.toString();
    }

    private static boolean containsAny(String text, String... needles) {
        for (String n : needles) {
            if (text.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A network failure raised by the JDK's Kerberos client itself (its stack shows sun.security.krb5 frames), so a
     * refused connection to, say, a Kafka broker is not mistaken for an unreachable KDC.
     */
    private static boolean kdcNetworkFailure(List<Throwable> chain) {
        for (Throwable c : chain) {
            if (isAny(c, ConnectException.class, SocketTimeoutException.class, PortUnreachableException.class,
                    NoRouteToHostException.class, UnknownHostException.class)) {
                for (StackTraceElement frame : c.getStackTrace()) {
                    if (frame.getClassName().startsWith("sun.security.krb5.")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @SafeVarargs
    private static boolean isAny(Throwable c, Class<? extends Throwable>... types) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
