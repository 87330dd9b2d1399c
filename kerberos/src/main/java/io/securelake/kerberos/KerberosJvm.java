package io.securelake.kerberos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosPrincipal;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which krb5.conf this JVM uses.
 *
 * <p>The JDK reads {@code java.security.krb5.conf} once and caches it in {@code sun.security.krb5.Config}. Which
 * krb5.conf a JVM uses is JVM-wide state, so it is decided by each process's entry point, never by a library:
 * the mains and the CLI's entry points ({@code ComponentProcess}, {@code GatewayMain}, the {@code securelake} command's
 * ingest, keys and demo) call {@link #useKrb5Conf}, the one place of the project that sets the property and makes
 * the JDK re-read it; libraries that need it call {@link #requireKrb5Conf}, which fails naming what the caller must
 * do. Two exceptions, both outside the library code: the Spark JVMs ({@code warehouse-etl}'s mains, which do not
 * have this module on their class path) set the property in their main before any Kerberos class loads. An
 * architecture test (module {@code architecture}) fails the build when any other class sets it.
 * {@link #preservingKrb5ConfProperty} puts the property back after a library (Kerby's KDC) changed it.
 */
public final class KerberosJvm {

    public static final String KRB5_CONF_PROPERTY = "java.security.krb5.conf";
    /** The JVM flag that lets this class call {@code sun.security.krb5.Config.refresh()} directly. */
    public static final String REQUIRED_FLAG = "--add-exports java.security.jgss/sun.security.krb5=ALL-UNNAMED";

    private static final Logger LOG = LoggerFactory.getLogger(KerberosJvm.class);
    private static final String CONFIG_CLASS = "sun.security.krb5.Config";
    private static final Pattern DEFAULT_REALM = Pattern.compile("(?m)^\\s*default_realm\\s*=\\s*(\\S+)\\s*$");
    /** Serialises every change of the property, including Kerby's own (see {@link #preservingKrb5ConfProperty}). */
    private static final Object LOCK = new Object();

    private KerberosJvm() {
    }

    /**
     * Points this JVM at {@code krb5Conf} and makes the JDK re-read it, even if Kerberos was used before.
     *
     * @throws IllegalStateException if the JDK could not be made to re-read it; the message names the JVM flag
     */
    public static void useKrb5Conf(Path krb5Conf) {
        Path file = krb5Conf.toAbsolutePath().normalize();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read krb5.conf " + file, e);
        }
        synchronized (LOCK) {
            System.setProperty(KRB5_CONF_PROPERTY, file.toString());
            if (configClassExported()) {
                refreshByReflection(file);
            } else {
                refreshThroughLoginModule(file);
            }
            verifyDefaultRealm(file, text);
        }
        LOG.debug("JVM now uses krb5.conf {}", file);
    }

    /**
     * Fails unless this JVM was pointed at {@code krb5Conf} (by {@link #useKrb5Conf} in the process's entry point, or
     * {@code -Djava.security.krb5.conf} at its start): for libraries, which need a krb5.conf but must not change
     * which one the whole JVM uses.
     *
     * @param who what needs it, for the message (e.g. "the ingest producer")
     * @throws IllegalStateException naming the krb5.conf wanted, the one in use, and the call the caller must make
     */
    public static void requireKrb5Conf(Path krb5Conf, String who) {
        Path wanted = krb5Conf.toAbsolutePath().normalize();
        Optional<Path> actual = krb5Conf().map(p -> p.toAbsolutePath().normalize());
        if (actual.isPresent() && sameFile(actual.get(), wanted)) {
            return;
        }
        throw new IllegalStateException(who + " needs this JVM to use krb5.conf " + wanted + ", but it uses "
                + actual.map(Path::toString).orElse("none (" + KRB5_CONF_PROPERTY + " is not set)")
                + ": the process must call KerberosJvm.useKrb5Conf(" + wanted + ") in its main or CLI entry point first");
    }

    private static boolean sameFile(Path a, Path b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The krb5.conf this JVM was told to use, if any. */
    public static Optional<Path> krb5Conf() {
        return Optional.ofNullable(System.getProperty(KRB5_CONF_PROPERTY)).map(Path::of);
    }

    /** The realm the JDK currently takes as default (reads the JDK's cached config). */
    public static String defaultRealm() {
        return new KerberosPrincipal("securelake-probe").getRealm();
    }

    static boolean configClassExported() {
        return KerberosPrincipal.class.getModule().isExported("sun.security.krb5", KerberosJvm.class.getModule());
    }

    static void refreshByReflection(Path file) {
        try {
            Class.forName(CONFIG_CLASS).getMethod("refresh").invoke(null);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("The JDK rejected krb5.conf " + file + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Cannot make the JDK re-read krb5.conf " + file + " (" + e
                    + "); start the JVM with " + REQUIRED_FLAG, e);
        }
    }

    /**
     * Without the export flag, use the JDK's own public route: Krb5LoginModule calls Config.refresh() at the very
     * start of login() when refreshKrb5Config=true. The login itself is meant to fail right after (no principal,
     * no keytab, no cache, no prompt); only a failure of the refresh matters. The result is verified afterwards.
     */
    static void refreshThroughLoginModule(Path file) {
        Map<String, String> options = Map.of(
                "refreshKrb5Config", "true",
                "doNotPrompt", "true",
                "useTicketCache", "false",
                "useKeyTab", "false");
        Configuration probe = Jaas.configuration(options);
        try {
            LoginContext lc = new LoginContext("securelake-krb5-refresh", new Subject(), null, probe);
            lc.login();
            lc.logout(); // not expected: there is nothing to log in with
        } catch (LoginException e) {
            Throwable cause = e.getCause();
            if (cause != null && cause.getClass().getName().equals("sun.security.krb5.KrbException")) {
                throw new IllegalStateException("The JDK rejected krb5.conf " + file + ": " + cause.getMessage(), e);
            }
            // Expected: "Unable to obtain Principal Name for authentication" after a successful refresh.
        }
    }

    private static void verifyDefaultRealm(Path file, String text) {
        Matcher m = DEFAULT_REALM.matcher(text);
        if (!m.find()) {
            return; // nothing to compare with
        }
        String expected = m.group(1);
        String actual;
        try {
            actual = defaultRealm();
        } catch (IllegalArgumentException e) {
            actual = "<none: " + e.getMessage() + ">";
        }
        if (!expected.equals(actual)) {
            throw new IllegalStateException("This JVM still uses an older krb5.conf (default realm " + actual
                    + ", expected " + expected + " from " + file + "); start the JVM with " + REQUIRED_FLAG
                    + " or set -D" + KRB5_CONF_PROPERTY + " before any Kerberos use");
        }
    }

    /**
     * Runs {@code action} and puts {@code java.security.krb5.conf} back as it was: Kerby's SimpleKdcServer sets the
     * property to a krb5.conf of its own during init, which must not leak into the JVM's choice.
     */
    public static <T> T preservingKrb5ConfProperty(Callable<T> action) throws Exception {
        synchronized (LOCK) {
            String before = System.getProperty(KRB5_CONF_PROPERTY);
            try {
                return action.call();
            } finally {
                if (before == null) {
                    System.clearProperty(KRB5_CONF_PROPERTY);
                } else {
                    System.setProperty(KRB5_CONF_PROPERTY, before);
                }
            }
        }
    }
}
