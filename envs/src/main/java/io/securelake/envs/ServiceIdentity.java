package io.securelake.envs;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity one platform service runs as in one environment.
 *
 * @param principal short principal name without realm (derived {@code svc-<role>-<env>} unless overridden)
 * @param keytab    a provided keytab (real KDC deployments); empty on the local stack, where keytabs are
 *                  generated at start
 */
public record ServiceIdentity(ServiceRole role, String principal, Optional<Path> keytab) {
    public ServiceIdentity {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keytab, "keytab");
    }
}
