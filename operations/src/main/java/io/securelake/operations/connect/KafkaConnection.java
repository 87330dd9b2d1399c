package io.securelake.operations.connect;

import io.securelake.envs.KafkaClientSettings;
import io.securelake.envs.KerberosSettings;
import io.securelake.kerberos.Jaas;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * How a client reaches an environment's Kafka: SASL/GSSAPI over TLS, trusting the given CA. The
 * same settings serve the local stack and a real cluster; only the values differ.
 *
 * @param bootstrap {@code host:port[,…]}; use the host names the brokers' principals carry
 * @param caPem     the CA (PEM) that signed the brokers' certificates
 * @param kerberos  the environment's Kerberos settings (they pace the clients' relogins)
 */
public record KafkaConnection(String bootstrap, Path caPem, KerberosSettings kerberos) {
    public static final String SERVICE_NAME = KafkaClientSettings.SERVICE_NAME;

    public KafkaConnection {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(kerberos, "kerberos");
    }

    /** Client properties logging in as {@code principal} from its keytab. */
    public Properties clientProperties(String principal, Path keytab) {
        Properties p = base();
        p.put(SaslConfigs.SASL_JAAS_CONFIG, Jaas.keytabLoginModule(principal, keytab));
        return p;
    }

    /** Client properties using the ticket cache of a person who ran {@code kinit}. */
    public Properties ticketCacheProperties() {
        Properties p = base();
        p.put(SaslConfigs.SASL_JAAS_CONFIG, Jaas.ticketCacheLoginModule(null, null));
        return p;
    }

    private Properties base() {
        Properties p = new Properties();
        p.putAll(KafkaClientSettings.kerberized(bootstrap, caPem, kerberos));
        return p;
    }
}
