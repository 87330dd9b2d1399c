package io.securelake.kerberos;

/** What is wrong, behind the JDK's Kerberos and GSS errors. */
public enum KerberosProblem {
    /** No TGT: nobody logged in (no kinit, no keytab login) or the login's Subject is not in effect. */
    NO_TICKET,
    /** The ticket's lifetime is over and nothing renewed it. */
    TICKET_EXPIRED,
    /** The keytab's key differs from the KDC's: the principal was re-created or its key changed since export. */
    WRONG_KEY_OR_STALE_KEYTAB,
    /** The KDC does not know the client principal. */
    UNKNOWN_CLIENT_PRINCIPAL,
    /** The KDC does not know the service principal derived from the host the client dialled. */
    UNKNOWN_SERVICE_PRINCIPAL,
    /** Clocks of client, KDC or service differ by more than the allowed skew (5 minutes by default). */
    CLOCK_SKEW,
    /** No KDC answered: wrong address or port in krb5.conf, KDC down, firewall, or UDP against a TCP-only KDC. */
    KDC_UNREACHABLE,
    /** Pre-authentication failed: wrong password, or a keytab whose key is no longer the KDC's. */
    PREAUTH_FAILED,
    /** Not recognised. */
    UNKNOWN
}
