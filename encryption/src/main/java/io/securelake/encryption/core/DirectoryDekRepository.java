package io.securelake.encryption.core;

import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.encryption.DekId;
import io.securelake.encryption.DekRepository;
import io.securelake.encryption.DekScope;
import io.securelake.encryption.StoredDek;
import io.securelake.encryption.WrappedDek;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link DekRepository} in a directory that several processes share (local or network file system with
 * POSIX link semantics): {@code <root>/<kek>/dek-<id>.properties} per DEK and
 * {@code <root>/<kek>/shared-<name>.ref} naming the DEK writers share. New files appear atomically by
 * hard link, so two writers racing for a shared DEK agree on one.
 */
public final class DirectoryDekRepository implements DekRepository {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private final Path root;

    public DirectoryDekRepository(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create DEK repository " + root, e);
        }
    }

    @Override
    public Optional<StoredDek> find(String kekName, DekId id) {
        return read(dekFile(kekName, id));
    }

    @Override
    public void insert(StoredDek dek) {
        try {
            createAtomically(dekFile(dek.kekName(), dek.id()), serialise(dek));
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
            deleteQuietly(dekFile(dek.kekName(), dek.id()));
            return findShared(dek.kekName(), dek.sharedName()).orElseThrow(() ->
                    new IllegalStateException("shared DEK " + dek.sharedName() + " references a missing DEK"));
        }
    }

    @Override
    public void replace(StoredDek dek) {
        Path target = dekFile(dek.kekName(), dek.id());
        if (!Files.exists(target)) {
            throw new IllegalStateException("no DEK " + dek.id() + " of KEK " + dek.kekName() + " to replace");
        }
        try {
            DurableLocalFiles.writeAtomically(target, serialise(dek).getBytes(StandardCharsets.UTF_8), DurableLocalFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + target, e);
        }
    }

    @Override
    public List<StoredDek> list(String kekName) {
        Path dir = kekDir(kekName);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<StoredDek> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith("dek-") && name.endsWith(".properties")) {
                    read(file).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(Comparator.comparing(StoredDek::createdAt));
        return out;
    }

    private Path kekDir(String kekName) {
        if (!SAFE_NAME.matcher(kekName).matches()) {
            throw new IllegalArgumentException("KEK name not usable as a directory name: " + kekName);
        }
        return root.resolve(kekName);
    }

    private Path dekFile(String kekName, DekId id) {
        return kekDir(kekName).resolve("dek-" + id.hex() + ".properties");
    }

    private Path sharedFile(String kekName, String sharedName) {
        String fileName = "shared-" + sharedName.replace('/', '-') + ".ref";
        if (!SAFE_NAME.matcher(fileName).matches()) {
            throw new IllegalArgumentException("shared DEK name not usable as a file name: " + sharedName);
        }
        return kekDir(kekName).resolve(fileName);
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
        p.setProperty("scope", dek.scope().name());
        if (dek.sharedName() != null) {
            p.setProperty("sharedName", dek.sharedName());
        }
        p.setProperty("createdAt", dek.createdAt().toString());
        if (dek.destroyed()) {
            p.setProperty("destroyedAt", dek.destroyedAt().toString());
        } else {
            p.setProperty("kekVersion", dek.wrapped().kekVersionName());
            p.setProperty("wrapIv", b64.encodeToString(dek.wrapped().iv()));
            p.setProperty("wrappedKey", b64.encodeToString(dek.wrapped().encryptedKey()));
            p.setProperty("checkValue", b64.encodeToString(dek.checkValue()));
        }
        try (Writer out = new java.io.StringWriter()) {
            p.store(out, "securelake wrapped DEK (no clear key material)");
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<StoredDek> read(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Base64.Decoder b64 = Base64.getDecoder();
        String kek = p.getProperty("kek");
        String destroyedAt = p.getProperty("destroyedAt");
        WrappedDek wrapped = destroyedAt != null ? null : new WrappedDek(kek, p.getProperty("kekVersion"),
                b64.decode(p.getProperty("wrapIv")), b64.decode(p.getProperty("wrappedKey")));
        byte[] check = destroyedAt != null ? null : b64.decode(p.getProperty("checkValue"));
        return Optional.of(new StoredDek(kek, DekId.fromHex(p.getProperty("id")),
                DekScope.valueOf(p.getProperty("scope")), p.getProperty("sharedName"), wrapped, check,
                Instant.parse(p.getProperty("createdAt")), destroyedAt == null ? null : Instant.parse(destroyedAt)));
    }
}
