package io.securelake.kerberos;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;

/**
 * JAAS for Kerberos logins, in every form the platform needs: Kafka's one-line {@code sasl.jaas.config}, a JAAS
 * login configuration file (for components that read {@code java.security.auth.login.config}, such as Knox), and
 * {@link Configuration} objects for in-process logins. The one generator of JAAS text in the project: values are
 * quoted and escaped the same way everywhere.
 */
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
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("useKeyTab", true);
        options.put("storeKey", true);
        options.put("keyTab", keytab.toAbsolutePath().toString());
        options.put("principal", principal);
        options.put("doNotPrompt", true);
        // Kafka may create its login before the JVM's krb5.conf is final; re-read it at each login.
        options.put("refreshKrb5Config", true);
        return loginModuleLine(options);
    }

    /**
     * A JAAS config line for a login from a ticket cache filled by {@code kinit}, as Kafka's {@code sasl.jaas.config}
     * expects it.
     *
     * @param principal   the principal whose tickets to use; null for whoever the cache holds
     * @param ticketCache the cache file; null for the default ({@code KRB5CCNAME} or {@code /tmp/krb5cc_<uid>})
     */
    public static String ticketCacheLoginModule(String principal, Path ticketCache) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("useTicketCache", true);
        options.put("doNotPrompt", true);
        if (principal != null) {
            requirePrincipal(principal);
            options.put("principal", principal);
        }
        if (ticketCache != null) {
            options.put("ticketCache", ticketCache.toAbsolutePath().toString());
        }
        return loginModuleLine(options);
    }

    /**
     * One section of a JAAS login configuration file: {@code application { Krb5LoginModule required ... ; };}, one
     * option per line in the order given. Boolean values are written bare, every other value quoted and escaped.
     *
     * @param comment     what the file is for, written as a comment above the section; null for none
     * @param application the login context name the section answers (e.g. {@code com.sun.security.jgss.initiate})
     * @param options     the Krb5LoginModule options, in the order they are to appear; at least one
     */
    public static String loginConfigurationFile(String comment, String application, Map<String, ?> options) {
        Objects.requireNonNull(application, "application");
        if (application.isBlank() || options.isEmpty()) {
            throw new IllegalArgumentException("a JAAS section needs an application name and at least one option");
        }
        StringBuilder s = new StringBuilder();
        if (comment != null) {
            if (comment.contains("*/")) {
                throw new IllegalArgumentException("a JAAS comment cannot contain '*/': " + comment);
            }
            s.append("/* ").append(comment).append(" */\n");
        }
        s.append(application).append(" {\n");
        s.append("  ").append(KRB5_LOGIN_MODULE).append(" required\n");
        int left = options.size();
        for (Map.Entry<String, ?> o : options.entrySet()) {
            s.append("  ").append(o.getKey()).append('=').append(value(o.getValue()));
            s.append(--left == 0 ? ";\n" : "\n");
        }
        s.append("};\n");
        return s.toString();
    }

    /** {@code Krb5LoginModule required k=v ...;} on one line: the form of Kafka's {@code sasl.jaas.config}. */
    private static String loginModuleLine(Map<String, ?> options) {
        StringBuilder s = new StringBuilder(KRB5_LOGIN_MODULE).append(" required");
        options.forEach((k, v) -> s.append(' ').append(k).append('=').append(value(v)));
        return s.append(';').toString();
    }

    /** Booleans bare (as JAAS writes flags), everything else quoted, so paths with odd characters survive parsers. */
    private static String value(Object v) {
        Objects.requireNonNull(v, "JAAS option value");
        return v instanceof Boolean ? v.toString() : quote(v.toString());
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
