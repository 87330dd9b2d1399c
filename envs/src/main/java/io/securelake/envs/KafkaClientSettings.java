package io.securelake.envs;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kafka client settings every client of an environment needs: SASL/GSSAPI over TLS, trusting the
 * environment's CA, and Kerberos relogins paced by the environment's ticket lifetime. Plain strings, as
 * {@link HadoopClientSettings} (this module depends on no service); each client adds its own login (JAAS)
 * and the settings of its role.
 */
public final class KafkaClientSettings {
    /** The service part of the brokers' principals ({@code kafka/<host>@REALM}). */
    public static final String SERVICE_NAME = "kafka";

    private KafkaClientSettings() {
    }

    /**
     * @param bootstrap {@code host:port[,…]}, with the host names the brokers' principals carry
     * @param caPem     the CA (PEM) that signed the brokers' certificates
     */
    public static Map<String, String> kerberized(String bootstrap, Path caPem, KerberosSettings kerberos) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", bootstrap);
        s.put("security.protocol", "SASL_SSL");
        s.put("sasl.mechanism", "GSSAPI");
        s.put("sasl.kerberos.service.name", SERVICE_NAME);
        // Below the ticket lifetime, or Kafka's login thread gives up renewing (KerberosSettings#minTimeBeforeRelogin).
        s.put("sasl.kerberos.min.time.before.relogin", Long.toString(kerberos.minTimeBeforeRelogin().toMillis()));
        s.put("ssl.truststore.location", caPem.toString());
        s.put("ssl.truststore.type", "PEM");
        return s;
    }
}
