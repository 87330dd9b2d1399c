package io.securelake.devstack.kms;

import io.securelake.devstack.hdfs.HadoopConfFiles;
import io.securelake.envs.Environment;
import java.util.Map;
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
        HadoopConfFiles.secretFile(s.confDir().resolve(PASSWORD_FILE));
        HadoopConfFiles.writeXml(s.confDir().resolve("kms-site.xml"), siteProperties(s));
        HadoopConfFiles.writeXml(s.confDir().resolve("kms-acls.xml"), KmsAcls.forEnvironment(env));
        // The KMS applies its core-site.xml to the JVM-wide Hadoop security (UserGroupInformation):
        // anything but the environment's Kerberos settings would switch Kerberos off for HDFS as well.
        HadoopConfFiles.writeXml(s.confDir().resolve("core-site.xml"), s.security());
        EmbeddedKms kms = new EmbeddedKms(s, new MiniKMS.Builder()
                .setKmsConfDir(s.confDir().toFile())
                .setLog4jConfFile("log4j.properties")
                .setPort(s.port())
                .setSslConf(s.tls().keystore().toFile(), s.tls().keystorePassword())
                .build());
        kms.startServer();
        return kms;
    }

    /**
     * Stops the KMS and leaves it down: clients' calls are refused until {@link #restart()}. The rest of the stack
     * stays up. For tests of what a key service outage does to its clients.
     */
    public void stop() {
        kms.stop();
    }

    /**
     * Starts a KMS stopped by {@link #stop()} again, on the same port with the same key store, ACLs and TLS
     * material (the configuration files written by {@link #start} are kept); returns once it serves requests.
     */
    public void restart() {
        kms.stop(); // does nothing when already down
        startServer();
    }

    private void startServer() {
        try {
            // The key store password file is read as a class-path resource.
            HadoopConfFiles.withConfDirOnClassPath(settings.confDir(), () -> {
                kms.start();
                return null;
            });
        } catch (Exception e) {
            throw new IllegalStateException("the KMS failed to start on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
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

    public String providerUri() {
        return settings.providerUri();
    }

    @Override
    public void close() {
        kms.stop();
    }
}
