package io.securelake.devstack.hdfs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;

/**
 * Generated Hadoop configuration files of the local stack. They hold store passwords and secrets,
 * so every file is readable by its owner only.
 */
public final class HadoopConfFiles {
    private HadoopConfFiles() {
    }

    /**
     * Writes {@code file} whole or not at all: the NameNode and the DataNode may run in two processes that write the
     * same files while the other one starts and reads them, so a reader must never see a half-written file.
     */
    public static void writeXml(Path file, Map<String, String> properties) {
        Configuration conf = new Configuration(false);
        properties.forEach(conf::set);
        try {
            Path tmp = ownerOnlyTempFile(file);
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    conf.writeXml(out);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * A random secret (hex) in {@code file}, created once and kept. Two processes creating it at once agree on one
     * secret: the file appears atomically (a hard link to a complete temporary file) and the loser keeps the winner's.
     */
    public static Path secretFile(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Path tmp = ownerOnlyTempFile(file);
                try {
                    Files.writeString(tmp, HexFormat.of().formatHex(secret));
                    Files.createLink(file, tmp);
                } catch (FileAlreadyExistsException created) {
                    // another process created it first: its secret is the one
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    /** A new empty file beside {@code file}, readable by its owner only from its creation on. */
    private static Path ownerOnlyTempFile(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /**
     * Runs {@code action} with {@code dir} visible as class-path resources to this thread. Hadoop reads
     * some files (ssl-server.xml, key store password files) only as class-path resources; servers that
     * initialise on the calling thread then find them.
     */
    public static <T> T withConfDirOnClassPath(Path dir, Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader withConf = new URLClassLoader(new URL[] {dir.toUri().toURL()}, previous)) {
            thread.setContextClassLoader(withConf);
            return action.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
