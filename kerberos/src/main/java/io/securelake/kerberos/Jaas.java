package io.securelake.kerberos;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;

/** JAAS pieces for Kerberos logins: Kafka's {@code sasl.jaas.config} string and {@link Configuration} objects. */
public final class Jaas {

    public static final String KRB5_LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule";

    private Jaas() {
    }

    /**
     * A JAAS config line for a keytab login, as Kafka's {@code sasl.jaas.config} expects it. Values are quoted and
     * backslashes/quotes escaped, so Windows paths and odd characters survive Kafka's parser.
     */
    public static String keytabLoginModule(String principal, Path keytab) {
        requirePrincipal(principal);
        Objects.requireNonNull(keytab, "keytab");
        return KRB5_LOGIN_MODULE + " required"
                + " useKeyTab=true"
                + " storeKey=true"
                + " keyTab=" + quote(keytab.toAbsolutePath().toString())
                + " principal=" + quote(principal)
                + " doNotPrompt=true"
                // Kafka may create its login before the JVM's krb5.conf is final; re-read it at each login.
                + " refreshKrb5Config=true;";
    }

    /**
     * A keytab login configuration; every application name resolves to it (Kafka asks for "KafkaClient",
     * ZooKeeper for "Client", tests for anything).
     *
     * @param initiator true for a client (obtains a TGT at login); false for an acceptor-only service, which
     *                  needs only its keys and contacts the KDC not at all
     */
    public static Configuration keytabConfiguration(String principal, Path keytab, boolean initiator) {
        requirePrincipal(principal);
        Objects.requireNonNull(keytab, "keytab");
        Map<String, String> options = new LinkedHashMap<>();
        options.put("useKeyTab", "true");
        options.put("keyTab", keytab.toAbsolutePath().toString());
        options.put("principal", principal);
        options.put("storeKey", "true");
        options.put("doNotPrompt", "true");
        options.put("useTicketCache", "false");
        options.put("isInitiator", Boolean.toString(initiator));
        return configuration(options);
    }

    /**
     * A login from a ticket cache filled by {@code kinit}.
     *
     * @param ticketCache the cache file; null for the default ({@code KRB5CCNAME} or {@code /tmp/krb5cc_<uid>})
     */
    public static Configuration ticketCacheConfiguration(Path ticketCache) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("useTicketCache", "true");
        if (ticketCache != null) {
            options.put("ticketCache", ticketCache.toAbsolutePath().toString());
        }
        options.put("doNotPrompt", "true");
        return configuration(options);
    }

    /** A configuration answering every application name with one required Krb5LoginModule. */
    static Configuration configuration(Map<String, String> options) {
        AppConfigurationEntry entry = new AppConfigurationEntry(KRB5_LOGIN_MODULE, LoginModuleControlFlag.REQUIRED,
                Map.copyOf(options));
        AppConfigurationEntry[] entries = {entry};
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return entries.clone();
            }
        };
    }

    static String quote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void requirePrincipal(String principal) {
        Objects.requireNonNull(principal, "principal");
        if (principal.isBlank()) {
            throw new IllegalArgumentException("principal must not be blank");
        }
    }
}
