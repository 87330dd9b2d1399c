package io.securelake.devstack.kdc;

import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.envs.Principals;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.kerberos.Krb5Conf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.client.KrbConfig;
import org.apache.kerby.kerberos.kerb.server.KdcConfig;
import org.apache.kerby.kerberos.kerb.server.KdcConfigKey;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process KDC (Apache Kerby) for the local stack and tests: TCP only, database in memory, krb5.conf written
 * to {@code workDir/krb5.conf}.
 *
 * <p>Starting it does not change which krb5.conf the JVM uses: call {@link KerberosJvm#useKrb5Conf(Path)} with
 * {@link #krb5Conf()} for in-process clients.
 */
public final class EmbeddedKdc implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKdc.class);
    private static final String ENCTYPES = "aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96";
    private static final int START_ATTEMPTS_ON_FREE_PORT = 3;
    private static final int READY_TIMEOUT_MILLIS = 10_000;

    private final KdcSettings settings;
    private final SimpleKdcServer server;
    private final int port;
    private final Path krb5Conf;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKdc(KdcSettings settings, SimpleKdcServer server, int port, Path krb5Conf) {
        this.settings = settings;
        this.server = server;
        this.port = port;
        this.krb5Conf = krb5Conf;
    }

    /** Starts a KDC; returns once it accepts connections. */
    public static EmbeddedKdc start(KdcSettings settings) {
        return start(settings, null);
    }

    /**
     * Starts a KDC that tells {@code listener} of every ticket it grants or refuses (null: nobody); returns once
     * it accepts connections.
     */
    public static EmbeddedKdc start(KdcSettings settings, KdcExchangeListener listener) {
        Objects.requireNonNull(settings, "settings");
        Path workDir = settings.workDir().toAbsolutePath();
        // Kerby writes (and on stop deletes) a krb5.conf of its own: keep it away from ours.
        Path kerbyDir = workDir.resolve("kerby");
        try {
            Files.createDirectories(kerbyDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create KDC work directory " + kerbyDir, e);
        }
        // A free port found now may be taken before Kerby binds it; retry with another one then.
        int attempts = settings.port() == 0 ? START_ATTEMPTS_ON_FREE_PORT : 1;
        RuntimeException last = null;
        for (int i = 0; i < attempts; i++) {
            int port = settings.port() == 0 ? freePort(settings.host()) : settings.port();
            SimpleKdcServer server;
            try {
                server = startServer(settings, port, kerbyDir, listener);
            } catch (RuntimeException e) {
                last = e;
                if (isBindFailure(e)) {
                    LOG.debug("KDC could not bind {}:{}, attempt {} of {}", settings.host(), port, i + 1, attempts);
                    continue;
                }
                throw e;
            }
            try {
                awaitAccepting(settings.host(), port);
                Path conf = new Krb5Conf(settings.realm(), List.of(settings.host() + ":" + port),
                        settings.ticketLifetime(), settings.renewLifetime()).writeTo(workDir.resolve("krb5.conf"));
                LOG.info("Embedded KDC for realm {} listening on {}:{} (TCP), krb5.conf {}",
                        settings.realm(), settings.host(), port, conf);
                return new EmbeddedKdc(settings, server, port, conf);
            } catch (RuntimeException e) {
                stopQuietly(server);
                throw e;
            }
        }
        throw last;
    }

    private static SimpleKdcServer startServer(KdcSettings settings, int port, Path kerbyDir,
                                               KdcExchangeListener listener) {
        try {
            return KerberosJvm.preservingKrb5ConfProperty(() -> {
                // Not Kerby's setKdcRealm/setKdcHost/setKdcTcpPort/setAllowUdp: they store values in enum
                // singletons (KdcServerOption) shared by every KDC in the JVM, so a second KDC would silently take
                // over the first one's realm and port. Values in this server's own KdcConfig stay its own.
                SimpleKdcServer kdc = new SimpleKdcServer(new KrbConfig());
                KdcConfig config = kdc.getKdcConfig();
                config.setBoolean(KdcConfigKey.KRB_DEBUG, false);
                config.setString(KdcConfigKey.KDC_REALM, settings.realm());
                config.setString(KdcConfigKey.KDC_HOST, settings.host());
                config.setBoolean(KdcConfigKey.KDC_ALLOW_TCP, true);
                config.setBoolean(KdcConfigKey.KDC_ALLOW_UDP, false);
                config.setInt(KdcConfigKey.KDC_TCP_PORT, port);
                config.setString(KdcConfigKey.ENCRYPTION_TYPES, ENCTYPES);
                config.setLong(KdcConfigKey.MAXIMUM_TICKET_LIFETIME, settings.ticketLifetime().getSeconds());
                // Kerby compares this value (seconds) with a lifetime in milliseconds: 1 disables the check,
                // which would otherwise refuse tickets shorter than ~4 s.
                config.setLong(KdcConfigKey.MINIMUM_TICKET_LIFETIME, 1L);
                config.setLong(KdcConfigKey.MAXIMUM_RENEWABLE_LIFETIME, settings.renewLifetime().getSeconds());
                kdc.setWorkDir(kerbyDir.toFile());
                if (listener != null) {
                    // Kerby keeps this option in a JVM-wide enum too, but reads it only in the init() right
                    // below, which builds this server's own network KDC from it.
                    kdc.setInnerKdcImpl(new ObservedKdcServer(kdc.getKdcSetting(), listener, java.time.Clock.systemUTC()));
                }
                kdc.init();
                kdc.start();
                return kdc;
            });
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start embedded KDC for realm " + settings.realm() + " on "
                    + settings.host() + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public KdcSettings settings() {
        return settings;
    }

    public String realm() {
        return settings.realm();
    }

    public String host() {
        return settings.host();
    }

    public int port() {
        return port;
    }

    /** The krb5.conf pointing at this KDC. */
    public Path krb5Conf() {
        return krb5Conf;
    }

    /** {@code principal@REALM}; a principal that already names a realm is returned as is. */
    public String qualify(String principal) {
        return Principals.qualify(principal, realm());
    }

    /** Creates a principal with random keys (services; export a keytab for it). Fails if it exists. */
    public void createPrincipal(String principal) {
        String p = ownPrincipal(principal);
        requireAbsent(p);
        try {
            server.getKadmin().addPrincipal(p);
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot create principal " + p + ": " + e.getMessage(), e);
        }
    }

    /** Creates a principal whose keys derive from {@code password} (people who kinit). Fails if it exists. */
    public void createPrincipal(String principal, String password) {
        String p = ownPrincipal(principal);
        Objects.requireNonNull(password, "password");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("password for " + p + " must not be empty");
        }
        requireAbsent(p);
        try {
            server.getKadmin().addPrincipal(p, password);
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot create principal " + p + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a principal; keytabs exported for it stop working. Fails if it does not exist. */
    public void deletePrincipal(String principal) {
        String p = ownPrincipal(principal);
        requirePresent(p);
        try {
            server.getKadmin().deletePrincipal(p);
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot delete principal " + p + ": " + e.getMessage(), e);
        }
    }

    public boolean principalExists(String principal) {
        String p = ownPrincipal(principal);
        try {
            return server.getKadmin().getPrincipal(p) != null;
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot look up principal " + p + ": " + e.getMessage(), e);
        }
    }

    /** All principals of the KDC, qualified, including Kerby's built-in krbtgt and kadmin ones. */
    public List<String> principals() {
        try {
            return List.copyOf(server.getKadmin().getPrincipals());
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot list principals of realm " + realm() + ": " + e.getMessage(), e);
        }
    }

    /** Writes a keytab holding only {@code principal}'s keys; see {@link #exportKeytab(List, Path)}. */
    public Path exportKeytab(String principal, Path keytabFile) {
        return exportKeytab(List.of(principal), keytabFile);
    }

    /**
     * Writes a keytab holding the keys of exactly these principals (nothing else, krbtgt in particular), readable
     * by the owner only (0600). An existing file is replaced, not appended to.
     *
     * @return {@code keytabFile}
     */
    public Path exportKeytab(List<String> principals, Path keytabFile) {
        Objects.requireNonNull(keytabFile, "keytabFile");
        if (principals.isEmpty()) {
            throw new IllegalArgumentException("a keytab needs at least one principal");
        }
        List<String> qualified = new ArrayList<>(new LinkedHashSet<>(principals.stream().map(this::ownPrincipal).toList()));
        qualified.forEach(this::requirePresent);
        Path target = keytabFile.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            // Kerby creates the file with default permissions and appends to existing ones: let it write into a
            // fresh private directory, then put its bytes in place in one step.
            Path staging = posix()
                    ? Files.createTempDirectory(target.getParent(), ".keytab",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                    : Files.createTempDirectory(target.getParent(), ".keytab");
            try {
                Path staged = staging.resolve("keytab");
                server.getKadmin().exportKeytab(staged.toFile(), qualified);
                // A keytab is a few hundred bytes: copy it into place owner-only, atomically and durably.
                DurableLocalFiles.writeAtomically(target, Files.readAllBytes(staged), DurableLocalFiles.OWNER_ONLY);
            } finally {
                try (var leftovers = Files.list(staging)) {
                    for (Path p : leftovers.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(staging);
            }
            return keytabFile;
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot export keytab " + target + " for " + qualified + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write keytab " + target + " for " + qualified, e);
        }
    }

    /** Stops the KDC. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            stopQuietly(server);
            LOG.info("Embedded KDC for realm {} on {}:{} stopped", realm(), host(), port);
        }
    }

    /** The KDC holds only its own realm's principals: another realm's is refused, naming both realms. */
    private String ownPrincipal(String principal) {
        return Principals.qualifyInRealm(principal, realm());
    }

    private void requireAbsent(String p) {
        if (principalExists(p)) {
            throw new IllegalStateException("principal " + p + " already exists in the KDC of realm " + realm()
                    + "; delete it first, or reuse it (re-creating it changes its keys and invalidates its keytabs)");
        }
    }

    private void requirePresent(String p) {
        if (!principalExists(p)) {
            throw new IllegalArgumentException("principal " + p + " does not exist in the KDC of realm " + realm());
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free TCP port on " + host, e);
        }
    }

    private static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** Real readiness signal: a TCP connection to the KDC's port is accepted. */
    private static void awaitAccepting(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), READY_TIMEOUT_MILLIS);
        } catch (IOException e) {
            throw new IllegalStateException("Embedded KDC does not accept connections on " + host + ":" + port
                    + " within " + READY_TIMEOUT_MILLIS + " ms: " + e, e);
        }
    }

    private static void stopQuietly(SimpleKdcServer server) {
        try {
            server.stop();
        } catch (KrbException | RuntimeException e) {
            LOG.warn("Stopping the embedded KDC failed: {}", e.toString());
        }
    }
}
