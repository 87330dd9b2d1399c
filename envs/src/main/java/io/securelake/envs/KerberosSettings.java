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

    /** True when the local stack runs the KDC itself. */
    public boolean embedded() {
        return kdcs.isEmpty();
    }
}
