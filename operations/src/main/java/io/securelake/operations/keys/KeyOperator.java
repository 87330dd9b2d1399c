package io.securelake.operations.keys;

import io.securelake.hadoop.HadoopSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;

/** Who runs a key-administration action: a Kerberos identity from a keytab or from a ticket cache. */
public sealed interface KeyOperator permits KeyOperator.Keytab, KeyOperator.TicketCache {

    /** The name to audit if the login itself fails (the identity is then only claimed, not proven). */
    String claimedName();

    /** Logs in; failures name the identity and the Kerberos reason. */
    UserGroupInformation login(Configuration conf);

    /** Kafka client settings logging in as this identity (the key registry is read and changed as it). */
    java.util.Properties kafkaProperties(io.securelake.operations.connect.KafkaConnection kafka);

    /** @param principal qualified, e.g. {@code carol@DEV.SECURELAKE.LOCAL} */
    record Keytab(String principal, Path keytab) implements KeyOperator {
        public Keytab {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(keytab, "keytab");
        }

        @Override
        public String claimedName() {
            return principal;
        }

        @Override
        public UserGroupInformation login(Configuration conf) {
            if (!Files.isReadable(keytab)) {
                throw new UncheckedIOException(new IOException("keytab " + keytab + " of " + principal
                        + " does not exist or is not readable"));
            }
            return HadoopSecurity.login(conf, principal, keytab);
        }

        @Override
        public java.util.Properties kafkaProperties(io.securelake.operations.connect.KafkaConnection kafka) {
            return kafka.clientProperties(principal, keytab);
        }
    }

    /**
     * The credentials of a prior {@code kinit}.
     *
     * @param cache the cache file; null means {@code KRB5CCNAME} (a {@code FILE:} cache) or {@code /tmp/krb5cc_<uid>}
     */
    record TicketCache(Path cache) implements KeyOperator {
        @Override
        public String claimedName() {
            return "ticket cache " + resolved();
        }

        public Path resolved() {
            if (cache != null) {
                return cache;
            }
            String env = System.getenv("KRB5CCNAME");
            if (env != null && !env.isBlank()) {
                return Path.of(env.startsWith("FILE:") ? env.substring("FILE:".length()) : env);
            }
            return Path.of("/tmp/krb5cc_" + new com.sun.security.auth.module.UnixSystem().getUid());
        }

        @Override
        public java.util.Properties kafkaProperties(io.securelake.operations.connect.KafkaConnection kafka) {
            java.util.Properties p = kafka.ticketCacheProperties();
            p.put(org.apache.kafka.common.config.SaslConfigs.SASL_JAAS_CONFIG,
                    io.securelake.kerberos.Jaas.ticketCacheLoginModule(null, resolved()));
            return p;
        }

        @Override
        public UserGroupInformation login(Configuration conf) {
            Path file = resolved();
            if (!Files.isReadable(file)) {
                throw new UncheckedIOException(new IOException("no Kerberos ticket cache at " + file
                        + ": run kinit first (or pass --principal and --keytab)"));
            }
            HadoopSecurity.useConfiguration(conf);
            try {
                return UserGroupInformation.getUGIFromTicketCache(file.toString(), null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use the Kerberos ticket cache " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
