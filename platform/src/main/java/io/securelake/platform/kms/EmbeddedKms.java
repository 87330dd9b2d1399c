package io.securelake.platform.kms;

import io.securelake.envs.Environment;
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
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.kms.server.MiniKMS;

/**
 * A real Hadoop KMS (the same server a cluster runs; {@code MiniKMS} is its public embedding) with
 * SPNEGO authentication, HTTPS, per-key ACLs from the environment, and a password-protected JCEKS
 * store of key-encryption keys that never leaves this stack's directory.
 */
public final class EmbeddedKms implements AutoCloseable {
    static final String PASSWORD_FILE = "kms.keystore.password";

    private final KmsSettings settings;
    private final MiniKMS kms;

    private EmbeddedKms(KmsSettings settings, MiniKMS kms) {
        this.settings = settings;
        this.kms = kms;
    }

    public static EmbeddedKms start(Environment env, KmsSettings s) {
        try {
            Files.createDirectories(s.confDir());
            ensurePasswordFile(s.confDir());
            writeXml(s.confDir().resolve("kms-site.xml"), siteProperties(s));
            writeXml(s.confDir().resolve("kms-acls.xml"), KmsAcls.forEnvironment(env));
            writeXml(s.confDir().resolve("core-site.xml"), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the KMS configuration to " + s.confDir(), e);
        }
        // The key store password file is read as a class-path resource; the KMS webapp initialises
        // on this thread, so a context class loader that sees confDir is enough.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader withConf = new URLClassLoader(new URL[] {s.confDir().toUri().toURL()}, previous)) {
            thread.setContextClassLoader(withConf);
            MiniKMS kms = new MiniKMS.Builder()
                    .setKmsConfDir(s.confDir().toFile())
                    .setLog4jConfFile("log4j.properties")
                    .setPort(s.port())
                    .setSslConf(s.tls().keystore().toFile(), s.tls().keystorePassword())
                    .build();
            kms.start();
            return new EmbeddedKms(s, kms);
        } catch (Exception e) {
            throw new IllegalStateException("the KMS failed to start on " + s.host() + ":" + s.port() + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Map<String, String> siteProperties(KmsSettings s) {
        return Map.ofEntries(
                Map.entry("hadoop.kms.key.provider.uri", "jceks://file@" + s.confDir().resolve("kms.keystore").toUri().getPath()),
                Map.entry("hadoop.security.keystore.java-keystore-provider.password-file", PASSWORD_FILE),
                Map.entry("hadoop.kms.authentication.type", "kerberos"),
                Map.entry("hadoop.kms.authentication.kerberos.principal", s.httpPrincipal()),
                Map.entry("hadoop.kms.authentication.kerberos.keytab", s.httpKeytab().toString()),
                Map.entry("hadoop.kms.authentication.kerberos.name.rules", "DEFAULT"),
                Map.entry("hadoop.kms.key.authorization.enable", "true"),
                Map.entry("hadoop.kms.http.host", s.host()),
                Map.entry("hadoop.kms.audit.aggregation.window.ms", "1000"));
    }

    private static void ensurePasswordFile(Path confDir) throws IOException {
        Path file = confDir.resolve(PASSWORD_FILE);
        if (!Files.exists(file)) {
            byte[] secret = new byte[24];
            new SecureRandom().nextBytes(secret);
            Files.writeString(file, HexFormat.of().formatHex(secret));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    private static void writeXml(Path file, Map<String, String> properties) throws IOException {
        Configuration conf = new Configuration(false);
        properties.forEach(conf::set);
        try (OutputStream out = Files.newOutputStream(file)) {
            conf.writeXml(out);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    public String providerUri() {
        return settings.providerUri();
    }

    @Override
    public void close() {
        kms.stop();
    }
}
