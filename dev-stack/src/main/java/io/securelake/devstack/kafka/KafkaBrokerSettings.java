package io.securelake.devstack.kafka;

import io.securelake.devstack.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * A single combined KRaft node (broker + controller) of the local stack.
 *
 * @param principal  the broker's qualified principal, {@code kafka/<host>@REALM}
 * @param superUsers      short names allowed everything (the broker itself)
 * @param authorizerProps the authorizer and its settings (Ranger's engine on the local stack)
 * @param minTimeBeforeRelogin the broker's floor between two Kerberos logins (below the ticket lifetime, or its
 *                        login thread stops renewing: see KerberosSettings#minTimeBeforeRelogin)
 */
public record KafkaBrokerSettings(String host, int port, int controllerPort, Path dataDir, String principal,
                                  Path keytab, TlsMaterial tls, Set<String> superUsers,
                                  java.util.Map<String, String> authorizerProps,
                                  java.time.Duration minTimeBeforeRelogin) {
    public KafkaBrokerSettings {
        Objects.requireNonNull(minTimeBeforeRelogin, "minTimeBeforeRelogin");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keytab, "keytab");
        Objects.requireNonNull(tls, "tls");
        superUsers = Set.copyOf(superUsers);
        authorizerProps = java.util.Map.copyOf(authorizerProps);
        if (!authorizerProps.containsKey("authorizer.class.name")) {
            throw new IllegalArgumentException("authorizerProps must name authorizer.class.name: deny by default needs an authorizer");
        }
    }
}
