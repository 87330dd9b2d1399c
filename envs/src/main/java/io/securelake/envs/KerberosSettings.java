package io.securelake.envs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the environment's principals live.
 *
 * @param realm          the Kerberos realm, e.g. {@code DEV.SECURELAKE.LOCAL}
 * @param kdcs           addresses {@code host:port} of a real KDC (MIT, Active Directory); empty means the
 *                       embedded KDC of the local stack
 * @param krb5Conf       a provided krb5.conf for a real KDC, if the deployment has one
 * @param ticketLifetime lifetime of tickets the embedded KDC issues (and that clients request)
 * @param renewLifetime  how long tickets stay renewable
 */
public record KerberosSettings(String realm, List<String> kdcs, Optional<Path> krb5Conf,
                               Duration ticketLifetime, Duration renewLifetime) {
    public KerberosSettings {
        Objects.requireNonNull(realm, "realm");
        kdcs = List.copyOf(kdcs);
        Objects.requireNonNull(krb5Conf, "krb5Conf");
        Objects.requireNonNull(ticketLifetime, "ticketLifetime");
        Objects.requireNonNull(renewLifetime, "renewLifetime");
    }

    /** Kafka's own floor between two logins of one client (its default). */
    private static final Duration KAFKA_DEFAULT_MIN_TIME_BEFORE_RELOGIN = Duration.ofMinutes(1);

    /**
     * The shortest time Kafka clients and brokers should wait between two Kerberos logins
     * ({@code sasl.kerberos.min.time.before.relogin}). Kafka's login thread renews at about 80% of a ticket's
     * life, but never sooner than this after the last login; when the ticket ends before that floor, the thread
     * exits for good and the client can no longer open connections once its ticket has expired. A quarter of the
     * ticket lifetime (at most Kafka's default of one minute, at least one second) keeps renewal possible.
     */
    public Duration minTimeBeforeRelogin() {
        Duration quarter = ticketLifetime.dividedBy(4);
        if (quarter.compareTo(KAFKA_DEFAULT_MIN_TIME_BEFORE_RELOGIN) > 0) {
            return KAFKA_DEFAULT_MIN_TIME_BEFORE_RELOGIN;
        }
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : quarter;
    }

    /** True when the local stack runs the KDC itself. */
    public boolean embedded() {
        return kdcs.isEmpty();
    }
}
