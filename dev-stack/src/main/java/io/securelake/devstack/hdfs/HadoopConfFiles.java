package io.securelake.devstack.hdfs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
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

    public static void writeXml(Path file, Map<String, String> properties) {
        Configuration conf = new Configuration(false);
        properties.forEach(conf::set);
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                conf.writeXml(out);
            }
            ownerOnly(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A random secret (hex) in {@code file}, created once and kept. */
    public static Path secretFile(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Files.writeString(file, HexFormat.of().formatHex(secret));
                ownerOnly(file);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
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

    private static void ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
