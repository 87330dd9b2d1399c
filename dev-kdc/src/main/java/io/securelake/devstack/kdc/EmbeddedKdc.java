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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.admin.kadmin.local.LocalKadmin;
import org.apache.kerby.kerberos.kerb.client.KrbConfig;
import org.apache.kerby.kerberos.kerb.common.EncryptionUtil;
import org.apache.kerby.kerberos.kerb.common.KrbUtil;
import org.apache.kerby.kerberos.kerb.keytab.Keytab;
import org.apache.kerby.kerberos.kerb.keytab.KeytabEntry;
import org.apache.kerby.kerberos.kerb.request.KrbIdentity;
import org.apache.kerby.kerberos.kerb.server.KdcConfig;
import org.apache.kerby.kerberos.kerb.server.KdcConfigKey;
import org.apache.kerby.kerberos.kerb.server.SimpleKdcServer;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionKey;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionType;
import org.apache.kerby.kerberos.kerb.type.base.PrincipalName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process KDC (Apache Kerby) for the local stack and tests: TCP only, database in memory, krb5.conf written
 * to {@code workDir/krb5.conf}.
 *
 * <p>Started with a {@link RealmSecrets} store, the KDC derives its {@code krbtgt} and {@code kadmin} keys, and those
 * of every principal made with {@link #ensurePrincipal}, from secrets kept in that file: a KDC started again on the
 * same store has the same keys, so keytabs and tickets (TGTs included) of the previous one stay valid. Without a
 * store every start makes new keys.
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
    /** Null: no store, every key random (and gone with the process). */
    private final RealmSecrets secrets;
    private final SimpleKdcServer server;
    private final int port;
    private final Path krb5Conf;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKdc(KdcSettings settings, RealmSecrets secrets, SimpleKdcServer server, int port, Path krb5Conf) {
        this.settings = settings;
        this.secrets = secrets;
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
        return startWith(settings, listener, null);
    }

    /**
     * Starts a KDC whose keys derive from {@code secrets} (see {@link RealmSecrets}): its {@code krbtgt} and
     * {@code kadmin} principals get their stored keys before it serves its first request, and
     * {@link #ensurePrincipal} re-creates other principals with theirs. {@code listener} as in
     * {@link #start(KdcSettings, KdcExchangeListener)}.
     *
     * @throws IllegalArgumentException when the store is of another realm
     */
    public static EmbeddedKdc start(KdcSettings settings, KdcExchangeListener listener, RealmSecrets secrets) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(secrets, "secrets");
        if (!secrets.realm().equals(settings.realm())) {
            throw new IllegalArgumentException("realm secret store " + secrets.file() + " is of realm " + secrets.realm()
                    + ", the KDC's realm is " + settings.realm());
        }
        return startWith(settings, listener, secrets);
    }

    private static EmbeddedKdc startWith(KdcSettings settings, KdcExchangeListener listener, RealmSecrets secrets) {
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
                server = startServer(settings, port, kerbyDir, listener, secrets);
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
                LOG.info("Embedded KDC for realm {} listening on {}:{} (TCP), krb5.conf {}, keys {}",
                        settings.realm(), settings.host(), port, conf,
                        secrets == null ? "random (new at every start)" : "from " + secrets.file());
                return new EmbeddedKdc(settings, secrets, server, port, conf);
            } catch (RuntimeException e) {
                stopQuietly(server);
                throw e;
            }
        }
        throw last;
    }

    private static SimpleKdcServer startServer(KdcSettings settings, int port, Path kerbyDir,
                                               KdcExchangeListener listener, RealmSecrets secrets) {
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
                // init() makes the database and Kerby's built-in principals (random keys); only start() opens the
                // port. In between, nobody can have seen those keys: replace them with the stored ones.
                kdc.init();
                if (secrets != null) {
                    LocalKadmin kadmin = kdc.getKadmin();
                    String tgs = KrbUtil.makeTgsPrincipal(settings.realm()).getName();
                    for (String builtin : List.of(tgs, kadmin.getKadminPrincipal())) {
                        kadmin.deletePrincipal(builtin);
                        kadmin.addPrincipal(builtin, secrets.secretOf(builtin));
                    }
                }
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

    /**
     * Creates a principal with random keys (export a keytab for it). Fails if it exists. The keys are not in the
     * realm secret store: a KDC started again does not have this principal (use {@link #ensurePrincipal} for keys
     * that survive a restart).
     */
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

    /**
     * Makes sure {@code principal} exists with the keys derived from its secret in the realm secret store, the secret
     * being created (and stored) if the store has none. Idempotent; after a restart on the same store it gives the
     * principal the same keys and key version (1) as before, so its keytabs stay valid.
     *
     * @return whether the principal was created now (false: it existed, with the stored keys)
     * @throws IllegalStateException when the KDC was started without a store, or the principal exists with other keys
     *                               (made by {@link #createPrincipal}: delete it first)
     */
    public synchronized boolean ensurePrincipal(String principal) {
        String p = ownPrincipal(principal);
        if (secrets == null) {
            throw new IllegalStateException("the KDC of realm " + realm() + " was started without a realm secret store:"
                    + " start it with EmbeddedKdc.start(settings, listener, RealmSecrets) to ensure " + p);
        }
        LocalKadmin kadmin = server.getKadmin();
        try {
            KrbIdentity existing = kadmin.getPrincipal(p);
            if (existing == null) {
                kadmin.addPrincipal(p, secrets.secretOf(p));
                return true;
            }
            if (!secrets.contains(p) || !hasKeysOf(existing, p, secrets.secretOf(p))) {
                throw new IllegalStateException("principal " + p + " exists in the KDC of realm " + realm()
                        + " with keys that are not those of its secret in " + secrets.file()
                        + " (created with createPrincipal?); delete it first");
            }
            return false;
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot ensure principal " + p + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code identity} has exactly the keys (types, bytes and version) that {@code secret} derives. */
    private boolean hasKeysOf(KrbIdentity identity, String principal, String secret) throws KrbException {
        List<EncryptionKey> derived = EncryptionUtil.generateKeys(principal, secret,
                server.getKdcConfig().getEncryptionTypes());
        Map<EncryptionType, EncryptionKey> actual = identity.getKeys();
        if (actual.size() != derived.size()) {
            return false;
        }
        for (EncryptionKey d : derived) {
            EncryptionKey a = actual.get(d.getKeyType());
            if (a == null || a.getKvno() != d.getKvno() || !MessageDigest.isEqual(a.getKeyData(), d.getKeyData())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Deletes a principal; keytabs exported for it stop working. Fails if it does not exist. Its secret leaves the
     * realm secret store too, so ensuring it again gives it new keys rather than bringing old keytabs back.
     */
    public synchronized void deletePrincipal(String principal) {
        String p = ownPrincipal(principal);
        requirePresent(p);
        // The secret first: a crash between the two steps must not leave a secret that would re-create the deleted
        // principal's old keys (and revive its keytabs) at the next start.
        if (secrets != null) {
            secrets.forget(p);
        }
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
        export(principals, keytabFile, false);
        return keytabFile;
    }

    /** {@link #exportKeytabIfChanged(List, Path)} for one principal. */
    public boolean exportKeytabIfChanged(String principal, Path keytabFile) {
        return exportKeytabIfChanged(List.of(principal), keytabFile);
    }

    /**
     * As {@link #exportKeytab(List, Path)}, but leaves {@code keytabFile} alone when it already holds exactly these
     * keys (same principals, key versions, types and bytes; the timestamps Kerby puts in every entry do not count):
     * a service may be reading it, and a KDC restarted on its realm secret store exports the same keys again. A file
     * that is not owner-only is made so.
     *
     * @return whether the file was written
     */
    public boolean exportKeytabIfChanged(List<String> principals, Path keytabFile) {
        return export(principals, keytabFile, true);
    }

    private boolean export(List<String> principals, Path keytabFile, boolean onlyIfChanged) {
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
                if (onlyIfChanged && sameKeys(staged, target)) {
                    if (posix() && !Files.getPosixFilePermissions(target).equals(DurableLocalFiles.OWNER_ONLY)) {
                        Files.setPosixFilePermissions(target, DurableLocalFiles.OWNER_ONLY);
                    }
                    return false;
                }
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
            return true;
        } catch (KrbException e) {
            throw new IllegalStateException("Cannot export keytab " + target + " for " + qualified + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write keytab " + target + " for " + qualified, e);
        }
    }

    /**
     * Whether {@code existing} is a keytab holding exactly the entries of {@code fresh}, timestamps aside. A file
     * that is missing, is no regular file, or does not parse, is not the same.
     */
    private static boolean sameKeys(Path fresh, Path existing) throws IOException {
        if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Set<KeytabKey> current;
        try {
            current = keys(Keytab.loadKeytab(existing.toFile()));
        } catch (IOException | RuntimeException e) {
            LOG.info("Keytab {} is not readable as a keytab ({}): writing it again", existing, e.toString());
            return false;
        }
        return current.equals(keys(Keytab.loadKeytab(fresh.toFile())));
    }

    private static Set<KeytabKey> keys(Keytab keytab) {
        Set<KeytabKey> keys = new HashSet<>();
        for (PrincipalName principal : keytab.getPrincipals()) {
            for (KeytabEntry entry : keytab.getKeytabEntries(principal)) {
                keys.add(new KeytabKey(entry.getPrincipal().getName(), entry.getKvno(),
                        entry.getKey().getKeyType().getValue(), HexFormat.of().formatHex(entry.getKey().getKeyData())));
            }
        }
        return keys;
    }

    /** One keytab entry without its timestamp; compared only, never shown (toString leaves the key out). */
    private record KeytabKey(String principal, int kvno, int encryptionType, String keyHex) {
        @Override
        public String toString() {
            return principal + " kvno " + kvno + " enctype " + encryptionType;
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
