package io.securelake.platform.kafka;

import io.securelake.kerberos.Jaas;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How a client reaches an environment's Kafka: SASL/GSSAPI over TLS, trusting the given CA. The
 * same settings serve the local stack and a real cluster; only the values differ.
 *
 * @param bootstrap {@code host:port[,…]}; use the host names the brokers' principals carry
 * @param caPem     the CA (PEM) that signed the brokers' certificates
 */
public record KafkaConnection(String bootstrap, Path caPem) {
    public static final String SECURITY_PROTOCOL = "SASL_SSL";
    public static final String SERVICE_NAME = "kafka";

    public KafkaConnection {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(caPem, "caPem");
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
        p.put(SaslConfigs.SASL_JAAS_CONFIG,
                "com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true doNotPrompt=true;");
        return p;
    }

    private Properties base() {
        Properties p = new Properties();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SECURITY_PROTOCOL);
        p.put(SaslConfigs.SASL_MECHANISM, "GSSAPI");
        p.put(SaslConfigs.SASL_KERBEROS_SERVICE_NAME, SERVICE_NAME);
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, caPem.toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        return p;
    }
}
