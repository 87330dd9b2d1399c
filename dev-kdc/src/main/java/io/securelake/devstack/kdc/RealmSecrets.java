package io.securelake.devstack.kdc;

import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.envs.Principals;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The realm secret store of an embedded KDC: one long random secret per principal (the realm's {@code krbtgt}
 * included), from which the KDC derives the principal's keys by Kerberos string-to-key. The KDC's database lives in
 * memory; with this file beside it, a KDC started again (after a crash or a SIGKILL) re-creates every principal with
 * the same keys and key version, so keytabs exported earlier still log in and tickets issued earlier (TGTs too: the
 * krbtgt key is the same) are still accepted.
 *
 * <p>The file is owner-only (0600) and replaced atomically and durably ({@link DurableLocalFiles}); a checksum over
 * its entries makes any corruption or edit visible. A store that cannot be read, or whose content is not exactly what
 * this class wrote, is refused with a message naming the file: silently starting over would re-key the whole realm
 * and break every running service. Deleting the file is how a realm is re-keyed on purpose.
 *
 * <p>Secrets never leave this package: they are not logged, not put in exception messages, and {@link #toString()}
 * names the file and the realm only.
 */
public final class RealmSecrets {
    /** The store's name in the KDC's work directory. */
    public static final String FILE_NAME = "realm-secrets.properties";

    private static final Logger LOG = LoggerFactory.getLogger(RealmSecrets.class);
    /** 256 bits: as strong as the AES-256 keys derived from it (string-to-key adds no entropy). */
    private static final int SECRET_BYTES = 32;
    /** URL-safe, unpadded: no character that a properties file escapes, so the file reads as it is. */
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final String FORMAT = "1";
    private static final String FORMAT_KEY = "format";
    private static final String REALM_KEY = "realm";
    private static final String CHECKSUM_KEY = "sha256";
    private static final String SECRET_PREFIX = "secret.";
    private static final Set<PosixFilePermission> OWNER_ONLY = DurableLocalFiles.OWNER_ONLY;
    private static final String RESOLUTION = "refusing to use it: new secrets would re-key the realm and invalidate "
            + "every keytab and ticket issued before. Restore the file, or delete it to re-key the realm on purpose "
            + "(then restart every service and export its keytab again).";

    private final Path file;
    private final String realm;
    private final SecureRandom random = new SecureRandom();

    private RealmSecrets(Path file, String realm) {
        this.file = file;
        this.realm = realm;
    }

    /**
     * Opens the store of {@code realm} at {@code file} and checks it now, so a corrupted or unreadable store stops a
     * start before the KDC serves. A missing file is an empty store, created with the first secret; opening writes
     * nothing.
     *
     * @throws IllegalStateException   naming the file when it is not a valid store of this realm
     * @throws UncheckedIOException    naming the file when it cannot be read
     */
    public static RealmSecrets open(Path file, String realm) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(realm, "realm");
        KdcSettings.requireRealm(realm);
        RealmSecrets store = new RealmSecrets(file.toAbsolutePath().normalize(), realm);
        store.read();
        store.restrictToOwner();
        return store;
    }

    /** The store in the KDC's work directory: {@code workDir/}{@value #FILE_NAME}, for the KDC's realm. */
    public static RealmSecrets inWorkDir(KdcSettings settings) {
        return open(settings.workDir().resolve(FILE_NAME), settings.realm());
    }

    public Path file() {
        return file;
    }

    public String realm() {
        return realm;
    }

    /** Whether the store holds a secret for {@code principal} (qualified with the store's realm if it names none). */
    public synchronized boolean contains(String principal) {
        return read().containsKey(qualify(principal));
    }

    /** The principals that have a secret, qualified, sorted. */
    public synchronized Set<String> principals() {
        return Collections.unmodifiableSet(new TreeSet<>(read().keySet()));
    }

    /**
     * The secret of {@code principal}, created (and stored durably before it is returned) the first time it is asked
     * for. Package-private: only the KDC derives keys from it.
     */
    synchronized String secretOf(String principal) {
        String p = qualify(principal);
        String known = read().get(p);
        if (known != null) {
            return known;
        }
        // Another process (a second KDC on the same work directory by mistake) may add secrets too: under the lock,
        // read again and add to what is there, so two of them never store different secrets for one principal.
        return underLock(() -> {
            Map<String, String> current = new TreeMap<>(read());
            String raced = current.get(p);
            if (raced != null) {
                return raced;
            }
            byte[] bytes = new byte[SECRET_BYTES];
            random.nextBytes(bytes);
            String secret = ENCODER.encodeToString(bytes);
            current.put(p, secret);
            write(current);
            LOG.info("Realm secret store {}: new secret for {}", file, p);
            return secret;
        });
    }

    /**
     * Removes {@code principal}'s secret, so that creating the principal again gives it new keys (its old keytabs
     * must not come back to life). Returns whether there was one.
     */
    synchronized boolean forget(String principal) {
        String p = qualify(principal);
        if (!read().containsKey(p)) {
            return false;
        }
        return underLock(() -> {
            Map<String, String> current = new TreeMap<>(read());
            boolean removed = current.remove(p) != null;
            if (removed) {
                write(current);
                LOG.info("Realm secret store {}: secret of {} removed", file, p);
            }
            return removed;
        });
    }

    /** Names the file and the realm; never a secret. */
    @Override
    public String toString() {
        return "RealmSecrets[" + file + ", realm " + realm + "]";
    }

    private String qualify(String principal) {
        return Principals.qualifyInRealm(principal, realm);
    }

    /** principal → secret as stored now; empty when the file does not exist. Fails closed on anything else. */
    private Map<String, String> read() {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            // An IOException's message names the path and the reason, never the content.
            throw new UncheckedIOException("Cannot read the realm secret store " + file + " (" + e + "); " + RESOLUTION,
                    e);
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            // Not chained: Properties' message could quote the malformed text, which may be a secret.
            throw corrupted("it is not a properties file");
        }
        if (!FORMAT.equals(p.getProperty(FORMAT_KEY))) {
            throw corrupted("it has no '" + FORMAT_KEY + "=" + FORMAT + "' line (empty, truncated, or not a store)");
        }
        String storedRealm = p.getProperty(REALM_KEY);
        if (!realm.equals(storedRealm)) {
            throw new IllegalStateException("Realm secret store " + file + " is the store of realm "
                    + (storedRealm == null ? "(none)" : "'" + storedRealm + "'") + ", not of realm " + realm + "; "
                    + RESOLUTION);
        }
        Map<String, String> secrets = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.equals(FORMAT_KEY) || key.equals(REALM_KEY) || key.equals(CHECKSUM_KEY)) {
                continue;
            }
            if (!key.startsWith(SECRET_PREFIX)) {
                // The key itself is not quoted: a damaged line may have run a secret into it.
                throw corrupted("it holds an entry that is not a principal's secret");
            }
            String principal = key.substring(SECRET_PREFIX.length());
            if (!isOwnPrincipal(principal)) {
                throw corrupted("it holds an entry that is not the secret of a principal of realm " + realm);
            }
            String value = p.getProperty(key);
            if (!wellFormed(value)) {
                throw corrupted("the secret of " + principal + " is malformed");
            }
            secrets.put(principal, value);
        }
        String checksum = p.getProperty(CHECKSUM_KEY);
        if (checksum == null || !MessageDigest.isEqual(checksum.getBytes(StandardCharsets.US_ASCII),
                checksum(secrets).getBytes(StandardCharsets.US_ASCII))) {
            throw corrupted("its entries do not match its checksum (it was damaged or edited)");
        }
        return Collections.unmodifiableMap(secrets);
    }

    private boolean isOwnPrincipal(String principal) {
        try {
            return Principals.isQualified(principal) && Principals.qualifyInRealm(principal, realm).equals(principal);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean wellFormed(String secret) {
        try {
            return secret != null && Base64.getUrlDecoder().decode(secret).length >= SECRET_BYTES;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private IllegalStateException corrupted(String what) {
        return new IllegalStateException("Realm secret store " + file + " is corrupted: " + what + "; " + RESOLUTION);
    }

    private void write(Map<String, String> secrets) {
        StringWriter out = new StringWriter();
        out.write("# securelake realm secret store of " + realm + ": the KDC derives every principal's keys from these"
                + " secrets.\n# Keep private (owner-only). Do not edit: a checksum guards it. Deleting it re-keys the"
                + " realm.\n");
        out.write(line(FORMAT_KEY, FORMAT));
        out.write(line(REALM_KEY, realm));
        out.write(line(CHECKSUM_KEY, checksum(secrets)));
        secrets.forEach((principal, secret) -> out.write(line(SECRET_PREFIX + principal, secret)));
        try {
            DurableLocalFiles.writeAtomically(file, out.toString().getBytes(StandardCharsets.UTF_8), OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the realm secret store " + file + " (" + e + ")", e);
        }
    }

    /** One properties line, escaped as {@link Properties#load} reads it back. */
    private static String line(String key, String value) {
        Properties one = new Properties();
        one.setProperty(key, value);
        StringWriter w = new StringWriter();
        try {
            one.store(w, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        // store() writes a date comment first; the entry is the last line.
        String[] lines = w.toString().split("\\R");
        return lines[lines.length - 1] + "\n";
    }

    /** Over the realm and every principal and secret, in order: any change to the entries changes it. */
    private String checksum(Map<String, String> secrets) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((realm + "\n").getBytes(StandardCharsets.UTF_8));
            new TreeMap<>(secrets).forEach((principal, secret) ->
                    sha.update((principal + "=" + secret + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** A store made loose by hand (a copy, a restore) is made owner-only again: it holds every key of the realm. */
    private void restrictToOwner() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (!mode.equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                LOG.warn("Realm secret store {} was {}, now owner-only (rw-------); if others could read it, delete it "
                        + "to re-key the realm", file, PosixFilePermissions.toString(mode));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the realm secret store " + file + " owner-only (" + e + ")", e);
        }
    }

    /** Runs {@code action} holding an exclusive lock on {@code <file>.lock}, shared by every process. */
    private <T> T underLock(Supplier<T> action) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(file.getParent());
            FileAttribute<?>[] ownerOnly = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            try (FileChannel channel = FileChannel.open(lockFile,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly)) {
                FileLock lock = channel.lock();
                try {
                    return action.get();
                } finally {
                    lock.release();
                }
            }
        } catch (OverlappingFileLockException e) {
            throw new IllegalStateException("Realm secret store " + file + " is being written by another RealmSecrets "
                    + "of this JVM at the same time: open one per store", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock the realm secret store " + file + " (" + e + ")", e);
        }
    }
}
