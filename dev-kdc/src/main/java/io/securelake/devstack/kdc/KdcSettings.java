package io.securelake.devstack.kdc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of an embedded KDC.
 *
 * @param realm          Kerberos realm, upper case, e.g. {@code EXAMPLE.COM}
 * @param host           host the KDC binds to and clients dial; use {@code localhost} on the local stack
 * @param port           TCP port; 0 picks a free port at start
 * @param ticketLifetime lifetime of the tickets the KDC issues (whole seconds, at least 1 s)
 * @param renewLifetime  how long tickets stay renewable (whole seconds, at least 1 s)
 * @param workDir        holds the generated krb5.conf (the KDC database itself lives in memory)
 */
public record KdcSettings(String realm, String host, int port, Duration ticketLifetime, Duration renewLifetime,
                          Path workDir) {

    /** Upper-case labels separated by dots: what MIT, AD and the JDK all accept without surprises. */
    private static final Pattern REALM = Pattern.compile("[A-Z0-9]+([.\\-_][A-Z0-9]+)*");

    public KdcSettings {
        requireRealm(realm);
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("KDC host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("KDC port must be 0 (pick a free one) or 1..65535, got " + port);
        }
        requireWholeSecondsAtLeastOne(ticketLifetime, "ticketLifetime");
        requireWholeSecondsAtLeastOne(renewLifetime, "renewLifetime");
        Objects.requireNonNull(workDir, "workDir");
    }

    /** A KDC on {@code localhost}, free port, 10 h tickets renewable for 7 days (the MIT defaults people expect). */
    public static KdcSettings localhost(String realm, Path workDir) {
        return new KdcSettings(realm, "localhost", 0, Duration.ofHours(10), Duration.ofDays(7), workDir);
    }

    /** Same settings on another port (a KDC started again where its clients' krb5.conf points). */
    public KdcSettings withPort(int port) {
        return new KdcSettings(realm, host, port, ticketLifetime, renewLifetime, workDir);
    }

    /** Same settings with other ticket lifetimes (tests use seconds-long tickets to exercise renewal). */
    public KdcSettings withLifetimes(Duration ticketLifetime, Duration renewLifetime) {
        return new KdcSettings(realm, host, port, ticketLifetime, renewLifetime, workDir);
    }

    /** The realm rules of a KDC, shared with its {@link RealmSecrets} so the two only ever differ by name. */
    static String requireRealm(String realm) {
        Objects.requireNonNull(realm, "realm");
        if (!REALM.matcher(realm).matches()) {
            throw new IllegalArgumentException("Kerberos realm must be upper case like EXAMPLE.COM, got '" + realm + "'");
        }
        return realm;
    }

    private static void requireWholeSecondsAtLeastOne(Duration d, String name) {
        Objects.requireNonNull(d, name);
        // Kerberos (KDC config and krb5.conf) counts lifetimes in seconds; refuse what would be silently truncated.
        if (d.isNegative() || d.isZero() || d.getSeconds() < 1) {
            throw new IllegalArgumentException(name + " must be positive and at least 1 second, got " + d);
        }
        if (d.getNano() != 0) {
            throw new IllegalArgumentException(name + " must be whole seconds, got " + d);
        }
    }
}
