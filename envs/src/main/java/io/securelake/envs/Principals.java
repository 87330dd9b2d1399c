package io.securelake.envs;

import java.util.Objects;
import java.util.Optional;

/**
 * Kerberos principal names and their realm: {@code alice}, {@code svc-ingest-dev} or {@code HTTP/localhost} to
 * {@code name@REALM} and back. The one implementation of these rules: every module that qualifies a principal or
 * takes its realm off calls this class (it sits in {@code envs} because every caller, the Spark and Knox JVMs
 * included, has this module on its class path and no other in common).
 *
 * <p>The realm starts at the first {@code @} that is not escaped with a backslash, as in MIT Kerberos'
 * {@code krb5_parse_name}; the name before it may carry {@code /instance} parts (host-based service principals).
 */
public final class Principals {

    private Principals() {
    }

    /**
     * {@code principal@realm}; a principal that already names a realm (this one or another: cross-realm
     * identities are legitimate for clients) is returned as it is.
     *
     * @throws IllegalArgumentException if the principal or the realm is blank, or the principal ends in a bare
     *                                  {@code @} (an empty realm is no realm)
     */
    public static String qualify(String principal, String realm) {
        requireName(principal);
        Optional<String> own = realm(principal);
        if (own.isPresent()) {
            return principal;
        }
        return principal + "@" + requireRealm(realm);
    }

    /**
     * As {@link #qualify}, but a principal of any other realm is refused: for callers that act only within one
     * realm (a KDC creating principals, an environment definition naming its own services).
     *
     * @throws IllegalArgumentException naming both realms when the principal belongs to another one
     */
    public static String qualifyInRealm(String principal, String realm) {
        String qualified = qualify(principal, realm);
        String actual = realm(qualified).orElseThrow();
        if (!actual.equals(requireRealm(realm))) {
            throw new IllegalArgumentException("principal " + qualified + " is in realm " + actual + ", not in realm "
                    + realm);
        }
        return qualified;
    }

    /** Whether the principal names a (non-empty) realm, {@code name@REALM}; for validating configured principals. */
    public static boolean isQualified(String principal) {
        Objects.requireNonNull(principal, "principal");
        int at = realmSeparator(principal);
        return at >= 0 && !principal.substring(at + 1).isBlank();
    }

    /**
     * The realm a principal names, if any.
     *
     * @throws IllegalArgumentException if it ends in a bare {@code @}
     */
    public static Optional<String> realm(String principal) {
        Objects.requireNonNull(principal, "principal");
        int at = realmSeparator(principal);
        if (at < 0) {
            return Optional.empty();
        }
        String realm = principal.substring(at + 1);
        if (realm.isBlank()) {
            throw new IllegalArgumentException("principal '" + principal + "' names an empty realm");
        }
        return Optional.of(realm);
    }

    /** The principal without its realm: {@code HTTP/localhost@R} gives {@code HTTP/localhost}. */
    public static String withoutRealm(String principal) {
        Objects.requireNonNull(principal, "principal");
        int at = realmSeparator(principal);
        return at < 0 ? principal : principal.substring(0, at);
    }

    /**
     * The principal without its realm if that realm is {@code realm}; a principal of another realm is returned
     * whole, so that a foreign identity stays recognisable (e.g. in the KDC's audit trail).
     */
    public static String withoutRealm(String principal, String realm) {
        Objects.requireNonNull(realm, "realm");
        return realm(principal).filter(realm::equals).map(r -> withoutRealm(principal)).orElse(principal);
    }

    /**
     * The short (local) name Kafka and Hadoop map a principal to under their default rules: its first component
     * ({@code kafka/localhost@R} gives {@code kafka}, {@code alice@R} gives {@code alice}).
     */
    public static String shortName(String principal) {
        String name = withoutRealm(principal);
        int slash = unescaped(name, '/');
        return slash < 0 ? name : name.substring(0, slash);
    }

    private static int realmSeparator(String principal) {
        return unescaped(principal, '@');
    }

    /** Index of the first {@code c} not preceded by a backslash escape, or -1. */
    private static int unescaped(String s, char c) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\') {
                i++; // the next character is part of the name, whatever it is
            } else if (ch == c) {
                return i;
            }
        }
        return -1;
    }

    private static void requireName(String principal) {
        Objects.requireNonNull(principal, "principal");
        if (principal.isBlank() || realmSeparator(principal) == 0) {
            throw new IllegalArgumentException("principal '" + principal + "' has no name");
        }
    }

    private static String requireRealm(String realm) {
        Objects.requireNonNull(realm, "realm");
        if (realm.isBlank()) {
            throw new IllegalArgumentException("realm must not be blank");
        }
        return realm;
    }
}
