package io.securelake.kerberos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.security.auth.Subject;
import javax.security.auth.kerberos.KerberosKey;
import javax.security.auth.kerberos.KerberosTicket;
import javax.security.auth.kerberos.KeyTab;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A keytab login for long-running services that renews itself: a daemon thread logs in again from the keytab at
 * 80% of the TGT's lifetime, so code running through {@link #doAs} or with {@link #subject()} keeps working past
 * the first ticket's expiry.
 *
 * <p>{@link #subject()} is one Subject for the whole life of this object; each re-login swaps its Kerberos
 * credentials atomically (JGSS reads them under the credential set's lock), so holders of the Subject never see it
 * without a TGT.
 */
public final class KeytabLogin implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KeytabLogin.class);
    private static final double RENEW_AT_FRACTION = 0.8;
    private static final Duration MIN_DELAY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(60);
    private static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);

    private final String principal;
    private final Path keytab;
    private final Subject subject = new Subject();
    private final ScheduledExecutorService renewer;
    private final AtomicInteger renewals = new AtomicInteger();
    private final Object lock = new Object();
    private LoginContext current; // guarded by lock
    private volatile Instant expiry;
    private volatile KerberosLoginException lastRenewalFailure;
    private volatile boolean closed;

    private KeytabLogin(String principal, Path keytab) {
        this.principal = principal;
        this.keytab = keytab;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kerberos-relogin-" + principal);
            t.setDaemon(true); // must never keep a JVM alive
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.renewer = executor;
    }

    /**
     * Logs in {@code principal} from {@code keytab} and starts renewal.
     *
     * @throws KerberosLoginException naming the problem and what to do
     */
    public static KeytabLogin login(String principal, Path keytab) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(keytab, "keytab");
        Path absolute = keytab.toAbsolutePath();
        if (!Files.isRegularFile(absolute) || !Files.isReadable(absolute)) {
            throw new KerberosLoginException(KerberosProblem.NO_TICKET, "Kerberos login of " + principal
                    + " impossible: keytab " + absolute + " does not exist or is not readable", null);
        }
        KeytabLogin login = new KeytabLogin(principal, absolute);
        try {
            login.relogin();
        } catch (KerberosLoginException e) {
            login.renewer.shutdownNow();
            throw e;
        }
        return login;
    }

    public String principal() {
        return principal;
    }

    public Path keytab() {
        return keytab;
    }

    /** The Subject holding the current TGT; the same object for the life of this login. */
    public Subject subject() {
        return subject;
    }

    /** End time of the current TGT. */
    public Instant ticketExpiry() {
        return expiry;
    }

    /** How many times the login was renewed since the first login. */
    public int renewalCount() {
        return renewals.get();
    }

    /** The last renewal failure, cleared by the next successful renewal; for health checks. */
    public Optional<KerberosLoginException> lastRenewalFailure() {
        return Optional.ofNullable(lastRenewalFailure);
    }

    /** Runs {@code action} as this principal; the action's own exception is rethrown as is. */
    public <T> T doAs(PrivilegedExceptionAction<T> action) throws Exception {
        if (closed) {
            throw new IllegalStateException("Kerberos login of " + principal + " is closed");
        }
        try {
            return Subject.doAs(subject, action);
        } catch (PrivilegedActionException e) {
            throw e.getException();
        }
    }

    /** Stops renewal and logs out; the Subject loses its Kerberos credentials. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        renewer.shutdownNow();
        try {
            // A re-login in flight may be waiting on the KDC; don't let close() hang on it for long.
            if (!renewer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Kerberos re-login thread of {} did not stop within 10 s", principal);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            Set<Object> credentials = subject.getPrivateCredentials();
            synchronized (credentials) {
                credentials.removeIf(KeytabLogin::isKerberosCredential);
            }
            if (current != null) {
                try {
                    current.logout();
                } catch (LoginException e) {
                    LOG.warn("Kerberos logout of {} failed: {}", principal, e.toString());
                }
                current = null;
            }
        }
    }

    /** Logs in afresh and swaps the new credentials into {@link #subject}. */
    private void relogin() {
        LoginContext fresh;
        try {
            fresh = new LoginContext("securelake-keytab-login", new Subject(), null,
                    Jaas.keytabConfiguration(principal, keytab, true));
            fresh.login();
        } catch (LoginException e) {
            throw failure(e);
        }
        KerberosTicket tgt = tgt(fresh.getSubject()).orElseThrow(() -> new KerberosLoginException(
                KerberosProblem.NO_TICKET, "Kerberos login of " + principal + " with keytab " + keytab
                + " succeeded but returned no TGT", null));
        LoginContext previous;
        synchronized (lock) {
            if (closed) {
                logoutQuietly(fresh);
                return;
            }
            swapCredentials(fresh.getSubject());
            previous = current;
            current = fresh;
            expiry = tgt.getEndTime().toInstant();
        }
        // Destroys the previous tickets, which are no longer in the shared Subject.
        logoutQuietly(previous);
        scheduleRenewal(tgt);
    }

    private void swapCredentials(Subject fresh) {
        Set<Object> credentials = subject.getPrivateCredentials();
        synchronized (credentials) {
            // Remove first, then add: KeyTab objects of the same file are equal(), so adding first would be a no-op
            // and the removal would then drop the only one. The lock makes the swap atomic for JGSS.
            Set<Object> old = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Object c : credentials) {
                if (isKerberosCredential(c)) {
                    old.add(c);
                }
            }
            for (Iterator<Object> it = credentials.iterator(); it.hasNext(); ) {
                if (old.contains(it.next())) {
                    it.remove();
                }
            }
            credentials.addAll(fresh.getPrivateCredentials());
        }
        Set<Principal> principals = subject.getPrincipals();
        principals.addAll(fresh.getPrincipals());
        subject.getPublicCredentials().addAll(fresh.getPublicCredentials());
    }

    private void scheduleRenewal(KerberosTicket tgt) {
        Instant start = Optional.ofNullable(tgt.getStartTime()).orElse(tgt.getAuthTime()).toInstant();
        Instant end = tgt.getEndTime().toInstant();
        Duration lifetime = Duration.between(start, end);
        Instant renewAt = start.plusMillis((long) (lifetime.toMillis() * RENEW_AT_FRACTION));
        Duration delay = Duration.between(Instant.now(), renewAt);
        if (delay.compareTo(MIN_DELAY) < 0) {
            delay = MIN_DELAY;
        }
        LOG.debug("Kerberos TGT of {} valid until {}; re-login in {}", principal, end, delay);
        schedule(delay, FIRST_RETRY_DELAY);
    }

    private void schedule(Duration delay, Duration nextRetryDelay) {
        if (closed) {
            return;
        }
        try {
            renewer.schedule(() -> renew(nextRetryDelay), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // close() raced us: nothing left to renew
        }
    }

    private void renew(Duration retryDelay) {
        if (closed) {
            return;
        }
        try {
            relogin();
            renewals.incrementAndGet();
            lastRenewalFailure = null;
            LOG.info("Kerberos login of {} renewed; TGT valid until {}", principal, expiry);
        } catch (KerberosLoginException e) {
            lastRenewalFailure = e;
            LOG.warn("Kerberos re-login of {} failed (TGT valid until {}), retrying in {}: {}",
                    principal, expiry, retryDelay, e.getMessage());
            Duration next = retryDelay.multipliedBy(2);
            schedule(retryDelay, next.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : next);
        } catch (RuntimeException e) {
            lastRenewalFailure = new KerberosLoginException(KerberosProblem.UNKNOWN,
                    "Kerberos re-login of " + principal + " failed unexpectedly: " + e, e);
            LOG.error("Kerberos re-login of {} failed unexpectedly, retrying in {}", principal, retryDelay, e);
            schedule(retryDelay, MAX_RETRY_DELAY);
        }
    }

    private KerberosLoginException failure(LoginException e) {
        KerberosProblem problem = KerberosDiagnostics.classify(e);
        String explanation;
        String text = String.valueOf(e.getMessage());
        if (text.contains("Unable to obtain password from user")) {
            // With a keytab and doNotPrompt this means: the keytab has no key for this principal name.
            problem = KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB;
            explanation = "the keytab holds no key for principal " + principal + " (wrong keytab, or the principal"
                    + " name/realm differs from the one exported); export a keytab for this principal ["
                    + KerberosDiagnostics.summary(e) + "]";
        } else {
            if (problem == KerberosProblem.PREAUTH_FAILED) {
                // No password is involved in a keytab login: failed pre-authentication means the key is stale.
                problem = KerberosProblem.WRONG_KEY_OR_STALE_KEYTAB;
            }
            explanation = KerberosDiagnostics.explain(problem, e);
        }
        return new KerberosLoginException(problem,
                "Kerberos login of " + principal + " with keytab " + keytab + " failed: " + explanation, e);
    }

    static Optional<KerberosTicket> tgt(Subject s) {
        synchronized (s.getPrivateCredentials()) {
            for (Object c : s.getPrivateCredentials()) {
                if (c instanceof KerberosTicket t && !t.isDestroyed()
                        && t.getServer().getName().startsWith("krbtgt/")) {
                    return Optional.of(t);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isKerberosCredential(Object c) {
        return c instanceof KerberosTicket || c instanceof KerberosKey || c instanceof KeyTab;
    }

    private void logoutQuietly(LoginContext lc) {
        if (lc == null) {
            return;
        }
        try {
            lc.logout();
        } catch (LoginException e) {
            LOG.debug("Logout of a replaced Kerberos login of {} failed: {}", principal, e.toString());
        }
    }
}
