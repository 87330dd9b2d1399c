package io.securelake.warehouse.spark;

import java.io.IOException;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosTicket;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Keeps a long-running Spark JVM's Hadoop login user holding a TGT across a KDC outage.
 *
 * <p>Why: when a connection's SASL handshake fails, Hadoop's IPC client re-logs in from the keytab, and a re-login is
 * a logout followed by a login. With the KDC away the login half fails, so the login user is left with no ticket at
 * all (not even the one that was still valid), and Hadoop then declines every further attempt for
 * {@code hadoop.kerberos.min.seconds.before.relogin}. Nothing else in a query server logs in again: it stayed unable to
 * reach HDFS after the KDC was back, until a client's call happened to retry past that floor. The keeper asks every
 * {@code period} whether the login user's TGT is missing or due and, if so, logs in again; once the KDC answers, the
 * next tick restores the ticket, before any analyst needs it.
 */
public final class LoginUserKeeper implements AutoCloseable {
    private final ScheduledExecutorService ticker;
    private final Consumer<String> log;
    private volatile String failing; // the last failure's message while logins fail, else null

    private LoginUserKeeper(Duration period, Consumer<String> log) {
        this.log = log;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hadoop-login-keeper");
            t.setDaemon(true); // never keeps the JVM alive
            return t;
        });
        ticker.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts checking every {@code period}; {@code log} hears when logins start failing and when they work again. */
    public static LoginUserKeeper start(Duration period, Consumer<String> log) {
        Objects.requireNonNull(log, "log");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return new LoginUserKeeper(period, log);
    }

    /** Whether the last check failed to log in (the KDC unreachable, the keytab unreadable). */
    public boolean failing() {
        return failing != null;
    }

    void check() {
        String who = "the login user";
        try {
            // Read each time: Spark's Thrift server replaces the login user when it starts.
            UserGroupInformation user = UserGroupInformation.getLoginUser();
            who = user.getUserName();
            // A no-op while the TGT is present and not due; a login from the keytab otherwise. It also returns quietly
            // when Hadoop's floor between logins declines the attempt: only the Subject tells whether a TGT is there.
            user.checkTGTAndReloginFromKeytab();
            if (!holdsTgt(user)) {
                throw new IOException("no TGT yet (Hadoop allows one login attempt per "
                        + "hadoop.kerberos.min.seconds.before.relogin)");
            }
            if (failing != null) {
                failing = null;
                log.accept("Kerberos login of " + who + " works again");
            }
        } catch (IOException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            boolean first = failing == null;
            failing = message; // before it is told: a listener may ask failing()
            if (first) {
                log.accept("Kerberos login of " + who + " failed, trying again: " + message);
            }
        }
    }

    @SuppressWarnings("removal") // the Subject a doAs runs under: Hadoop offers no public getter for it
    static boolean holdsTgt(UserGroupInformation user) {
        Subject subject = user.doAs((PrivilegedAction<Subject>) () -> Subject.getSubject(AccessController.getContext()));
        return subject != null && subject.getPrivateCredentials(KerberosTicket.class).stream()
                .anyMatch(t -> t.getServer().getName().startsWith("krbtgt/") && t.isCurrent());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
