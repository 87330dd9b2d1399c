package io.securelake.ingest.producer;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/** How the producer authenticates: a service keytab, or the ticket cache of a person who ran {@code kinit}. */
public sealed interface KerberosCredentials {

    /** The qualified principal, e.g. {@code svc-ingest-dev@DEV.SECURELAKE.LOCAL}; the actor in audit records. */
    String principal();

    /** Kafka's {@code sasl.jaas.config} line for this login. */
    String jaasConfig();

    record Keytab(String principal, Path keytab) implements KerberosCredentials {
        public Keytab {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(keytab, "keytab");
        }

        @Override
        public String jaasConfig() {
            return io.securelake.kerberos.Jaas.keytabLoginModule(principal, keytab);
        }
    }

    record TicketCache(String principal, Optional<Path> cache) implements KerberosCredentials {
        public TicketCache {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(cache, "cache");
        }

        @Override
        public String jaasConfig() {
            return io.securelake.kerberos.Jaas.ticketCacheLoginModule(principal, cache.orElse(null));
        }
    }
}
