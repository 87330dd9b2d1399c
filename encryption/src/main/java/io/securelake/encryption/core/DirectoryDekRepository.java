package io.securelake.encryption.core;

import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.encryption.DekChangeListener;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.LocalWrap;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DekRepository} in a directory that several processes of one host share (a local file system with POSIX
 * link semantics). Per DEK, one file per revision: {@code <root>/<kek>/dek-<id>.properties} (revision 1) and
 * {@code dek-<id>.r<n>.properties} (revision n &gt; 1); {@code <root>/<kek>/shared-<name>.ref} names the DEK writers
 * share. Every file is created by link(2), which fails if the name exists: of two writers racing for a shared DEK or
 * for the next revision of a DEK exactly one wins (the compare-and-set). Once a revision is stored, the older
 * revisions' files are overwritten with a marker holding no key material. Changes are pushed to subscribers by the
 * kernel's file notifications ({@link DirectoryWatch}).
 */
public final class DirectoryDekRepository implements DekRepository {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryDekRepository.class);
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    /** A DEK's revision file: group 1 the id, group 2 the revision when above 1. */
    static final Pattern DEK_FILE = Pattern.compile("dek-([0-9a-f]{16})(?:\\.r([0-9]{1,9}))?\\.properties");

    private final Path root;
    private final DirectoryWatch watch;

    public DirectoryDekRepository(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create DEK repository " + root, e);
        }
        this.watch = new DirectoryWatch(root);
    }

    /** One revision file as read: the DEK, or a superseded marker (no material). */
    private record Revision(long number, StoredDek dek) {
        boolean superseded() {
            return dek == null;
        }
    }

    @Override
    public Optional<StoredDek> find(String kekName, DekId id) {
        Optional<Revision> first = readRevision(dekFile(kekName, id, 1), kekName, id, 1);
        if (first.isEmpty()) {
            return Optional.empty();
        }
        List<Revision> chain = new ArrayList<>();
        chain.add(first.get());
        for (long n = 2; ; n++) {
            Optional<Revision> next = readRevision(dekFile(kekName, id, n), kekName, id, n);
            if (next.isEmpty()) {
                break;
            }
            chain.add(next.get());
        }
        Revision latest = chain.get(chain.size() - 1);
        if (latest.superseded()) {
            throw new IllegalStateException("DEK " + id + " of KEK " + kekName + ": revision " + latest.number()
                    + " is marked superseded but no later revision exists (repository damaged)");
        }
        // A writer that stopped between storing a revision and clearing the older ones leaves material behind.
        boolean repaired = false;
        for (Revision older : chain.subList(0, chain.size() - 1)) {
            if (!older.superseded()) {
                repaired = true;
                supersedeQuietly(kekName, id, older.number(), latest.number());
            }
        }
        if (repaired && latest.dek().destroyed()) {
            sweepTemporaries(kekName, id);
        }
        return Optional.of(latest.dek());
    }

    @Override
    public void insert(StoredDek dek) {
        if (dek.revision() != 1) {
            throw new IllegalArgumentException("a new DEK has revision 1, not " + dek.revision());
        }
        try {
            createAtomically(dekFile(dek.kekName(), dek.id(), 1), serialise(dek));
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("DEK id " + dek.id() + " of KEK " + dek.kekName() + " is taken", e);
        }
    }

    @Override
    public Optional<StoredDek> findShared(String kekName, String sharedName) {
        Path ref = sharedFile(kekName, sharedName);
        try {
            String id = Files.readString(ref, StandardCharsets.US_ASCII).trim();
            return find(kekName, DekId.fromHex(id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref, e);
        }
    }

    @Override
    public StoredDek insertShared(StoredDek dek) {
        insert(dek);
        try {
            createAtomically(sharedFile(dek.kekName(), dek.sharedName()), dek.id().hex() + "\n");
            return dek;
        } catch (FileAlreadyExistsException lostRace) {
            deleteQuietly(dekFile(dek.kekName(), dek.id(), 1));
            return findShared(dek.kekName(), dek.sharedName()).orElseThrow(() ->
                    new IllegalStateException("shared DEK " + dek.sharedName() + " references a missing DEK"));
        }
    }

    @Override
    public boolean compareAndSet(StoredDek expected, StoredDek replacement) {
        DekRepository.requireNextRevision(expected, replacement);
        Optional<StoredDek> current = find(expected.kekName(), expected.id());
        if (current.isEmpty() || current.get().revision() != expected.revision() || current.get().destroyed()) {
            return false;
        }
        try {
            createAtomically(dekFile(replacement.kekName(), replacement.id(), replacement.revision()), serialise(replacement));
        } catch (FileAlreadyExistsException anotherChangeCameFirst) {
            return false;
        }
        for (long n = 1; n < replacement.revision(); n++) {
            supersedeQuietly(replacement.kekName(), replacement.id(), n, replacement.revision());
        }
        if (replacement.destroyed()) {
            sweepTemporaries(replacement.kekName(), replacement.id());
        }
        return true;
    }

    @Override
    public List<StoredDek> list(String kekName) {
        Path dir = kekDir(kekName);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Map<String, Long> latestRevision = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = DEK_FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    long revision = m.group(2) == null ? 1 : Long.parseLong(m.group(2));
                    latestRevision.merge(m.group(1), revision, Math::max);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<StoredDek> out = new ArrayList<>();
        for (String id : latestRevision.keySet()) {
            find(kekName, DekId.fromHex(id)).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(StoredDek::createdAt));
        return out;
    }

    @Override
    public Subscription subscribe(DekChangeListener listener) {
        return watch.subscribe(listener);
    }

    @Override
    public void close() {
        watch.close();
    }

    private Path kekDir(String kekName) {
        if (!SAFE_NAME.matcher(kekName).matches()) {
            throw new IllegalArgumentException("KEK name not usable as a directory name: " + kekName);
        }
        return root.resolve(kekName);
    }

    private Path dekFile(String kekName, DekId id, long revision) {
        String name = revision == 1 ? "dek-" + id.hex() + ".properties" : "dek-" + id.hex() + ".r" + revision + ".properties";
        return kekDir(kekName).resolve(name);
    }

    private Path sharedFile(String kekName, String sharedName) {
        String fileName = "shared-" + sharedName.replace('/', '-') + ".ref";
        if (!SAFE_NAME.matcher(fileName).matches()) {
            throw new IllegalArgumentException("shared DEK name not usable as a file name: " + sharedName);
        }
        return kekDir(kekName).resolve(fileName);
    }

    /**
     * {@link #supersede}, logged instead of thrown: the change it follows is stored, and a reader without write
     * permission must still read; the next read by a writer, or a repeated shred, finishes the job.
     */
    private void supersedeQuietly(String kekName, DekId id, long revision, long by) {
        try {
            supersede(kekName, id, revision, by);
        } catch (UncheckedIOException e) {
            LOG.warn("could not clear revision {} of DEK {} of KEK {} (superseded by {}): its wrapped material stays"
                    + " on disk until a writer reads the entry again", revision, id, kekName, by, e);
        }
    }

    /**
     * Removes temporary files of a DEK's revisions that a writer stopped before deleting (they are hard links to a
     * revision's content, material included), then makes the removal durable: after a shred nothing may hold it.
     */
    private void sweepTemporaries(String kekName, DekId id) {
        Path dir = kekDir(kekName);
        try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(dir, ".dek-" + id.hex() + ".*.tmp")) {
            boolean removed = false;
            for (Path tmp : temporaries) {
                removed |= Files.deleteIfExists(tmp);
            }
            if (removed) {
                DurableLocalFiles.syncDirectory(dir);
            }
        } catch (IOException e) {
            LOG.warn("could not sweep temporary files of DEK {} of KEK {}", id, kekName, e);
        }
    }

    /** Overwrites an older revision's file with a marker: its wrapped material must not outlive the change. */
    private void supersede(String kekName, DekId id, long revision, long by) {
        Properties p = new Properties();
        p.setProperty("kek", kekName);
        p.setProperty("id", id.hex());
        p.setProperty("revision", Long.toString(revision));
        p.setProperty("supersededBy", Long.toString(by));
        Path file = dekFile(kekName, id, revision);
        try {
            DurableLocalFiles.writeAtomically(file, store(p, "securelake DEK revision superseded (no key material)")
                    .getBytes(StandardCharsets.UTF_8), DurableLocalFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear superseded revision " + file, e);
        }
    }

    /**
     * Content on disk before the name points at it, and the name itself after ({@link DurableLocalFiles#createAtomically}:
     * link(2) fails atomically if the name exists): a DEK must survive a power failure once data encrypted under it
     * may have left the process (Kafka keeps the ciphertext durably).
     */
    private static void createAtomically(Path target, String content) throws FileAlreadyExistsException {
        try {
            if (!Files.isDirectory(target.getParent())) {
                Files.createDirectories(target.getParent());
                DurableLocalFiles.syncDirectory(target.getParent().getParent()); // the new KEK directory's own name
            }
            DurableLocalFiles.createAtomically(target, content.getBytes(StandardCharsets.UTF_8), DurableLocalFiles.OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + target, e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A leftover temp or orphan DEK file holds only wrapped material and is harmless.
        }
    }

    private static String serialise(StoredDek dek) {
        Properties p = new Properties();
        Base64.Encoder b64 = Base64.getEncoder();
        p.setProperty("kek", dek.kekName());
        p.setProperty("id", dek.id().hex());
        p.setProperty("revision", Long.toString(dek.revision()));
        p.setProperty("scope", dek.scope().name());
        if (dek.sharedName() != null) {
            p.setProperty("sharedName", dek.sharedName());
        }
        p.setProperty("originKekVersion", Integer.toString(dek.originKekVersion()));
        p.setProperty("createdAt", dek.createdAt().toString());
        if (dek.destroyed()) {
            p.setProperty("destroyedAt", dek.destroyedAt().toString());
        } else if (dek.wrappedByKms()) {
            p.setProperty("kekVersion", dek.wrapped().kekVersionName());
            p.setProperty("wrapIv", b64.encodeToString(dek.wrapped().iv()));
            p.setProperty("wrappedKey", b64.encodeToString(dek.wrapped().encryptedKey()));
            p.setProperty("checkValue", b64.encodeToString(dek.checkValue()));
        } else {
            p.setProperty("wrappingKey", dek.localWrap().wrappingKey().hex());
            p.setProperty("sealNonce", b64.encodeToString(dek.localWrap().nonce()));
            p.setProperty("sealedKey", b64.encodeToString(dek.localWrap().sealed()));
            p.setProperty("checkValue", b64.encodeToString(dek.checkValue()));
        }
        return store(p, "securelake wrapped DEK (no clear key material)");
    }

    private static String store(Properties p, String comment) {
        try (Writer out = new java.io.StringWriter()) {
            p.store(out, comment);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Revision> readRevision(Path file, String expectedKek, DekId expectedId, long expectedRevision) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        // Files written before revisions existed have none: they are revision 1.
        long revision = Long.parseLong(p.getProperty("revision", "1"));
        // The name is what was looked up: content of another DEK or revision under it means the files were moved.
        if (revision != expectedRevision || !expectedKek.equals(p.getProperty("kek"))
                || !expectedId.hex().equals(p.getProperty("id"))) {
            throw new IllegalStateException("DEK repository damaged: " + file + " holds revision " + revision + " of DEK "
                    + p.getProperty("id") + " of KEK " + p.getProperty("kek"));
        }
        if (p.getProperty("supersededBy") != null) {
            return Optional.of(new Revision(revision, null));
        }
        Base64.Decoder b64 = Base64.getDecoder();
        String kek = p.getProperty("kek");
        String destroyedAt = p.getProperty("destroyedAt");
        WrappedDek wrapped = null;
        LocalWrap localWrap = null;
        if (destroyedAt == null && p.getProperty("wrappingKey") != null) {
            localWrap = new LocalWrap(DekId.fromHex(p.getProperty("wrappingKey")), b64.decode(p.getProperty("sealNonce")),
                    b64.decode(p.getProperty("sealedKey")));
        } else if (destroyedAt == null) {
            wrapped = new WrappedDek(kek, p.getProperty("kekVersion"), b64.decode(p.getProperty("wrapIv")),
                    b64.decode(p.getProperty("wrappedKey")));
        }
        byte[] check = destroyedAt != null ? null : b64.decode(p.getProperty("checkValue"));
        // Before origin versions were recorded the header carried the wrapping version; that is the best guess then.
        String origin = p.getProperty("originKekVersion");
        int originVersion = origin != null ? Integer.parseInt(origin) : wrapped != null ? wrapped.kekVersionNumber() : 0;
        StoredDek dek = new StoredDek(kek, DekId.fromHex(p.getProperty("id")), DekScope.valueOf(p.getProperty("scope")),
                p.getProperty("sharedName"), wrapped, localWrap, check, originVersion,
                Instant.parse(p.getProperty("createdAt")), destroyedAt == null ? null : Instant.parse(destroyedAt), revision);
        return Optional.of(new Revision(revision, dek));
    }
}
