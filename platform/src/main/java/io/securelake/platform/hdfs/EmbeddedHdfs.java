package io.securelake.platform.hdfs;

import io.securelake.envs.Environment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS (NameNode + DataNode, Hadoop's MiniDFSCluster) with Kerberos on: Kerberos RPC,
 * SASL-protected block transfer (no privileged ports, no root), HTTPS-only web endpoints with SPNEGO,
 * and WebHDFS. Data persists in {@code dataDir} across restarts.
 */
public final class EmbeddedHdfs implements AutoCloseable {
    private static final String SSL_SERVER = "ssl-server.xml";
    private static final String SSL_CLIENT = "ssl-client.xml";

    private final HdfsSettings settings;
    private final MiniDFSCluster cluster;
    private final Configuration clientConf;

    private EmbeddedHdfs(HdfsSettings settings, MiniDFSCluster cluster, Configuration clientConf) {
        this.settings = settings;
        this.cluster = cluster;
        this.clientConf = clientConf;
    }

    /** JDK 17: WebHDFS's Jersey uses jaxb-impl 2.2, whose bytecode optimiser fails; its reflective path works. */
    static final String JAXB_NO_OPTIMIZE = "com.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize";

    public static EmbeddedHdfs start(Environment env, HdfsSettings s) {
        if (System.getProperty(JAXB_NO_OPTIMIZE) == null) {
            System.setProperty(JAXB_NO_OPTIMIZE, "true");
        }
        Configuration clientConf = HadoopSecurity.clientConfiguration(env, s.nameNodeUri(), s.hdfsPrincipal());
        Configuration conf = new Configuration(clientConf);
        conf.set("dfs.namenode.kerberos.principal", s.hdfsPrincipal());
        conf.set("dfs.namenode.keytab.file", s.hdfsKeytab().toString());
        conf.set("dfs.datanode.kerberos.principal", s.hdfsPrincipal());
        conf.set("dfs.datanode.keytab.file", s.hdfsKeytab().toString());
        conf.set("dfs.web.authentication.kerberos.principal", s.httpPrincipal());
        conf.set("dfs.web.authentication.kerberos.keytab", s.httpKeytab().toString());
        conf.set("dfs.namenode.kerberos.internal.spnego.principal", s.httpPrincipal());
        // SPNEGO on every web endpoint (WebHDFS included): Hadoop 3.4 serves WebHDFS behind the server-wide
        // authentication filter, which stays 'simple' (anonymous) unless configured here.
        conf.set("hadoop.http.filter.initializers", "org.apache.hadoop.security.AuthenticationFilterInitializer");
        conf.set("hadoop.http.authentication.type", "kerberos");
        conf.set("hadoop.http.authentication.simple.anonymous.allowed", "false");
        conf.set("hadoop.http.authentication.kerberos.principal", s.httpPrincipal());
        conf.set("hadoop.http.authentication.kerberos.keytab", s.httpKeytab().toString());
        conf.set("hadoop.http.authentication.signature.secret.file", signatureSecret(s).toString());
        conf.setBoolean("dfs.block.access.token.enable", true);
        conf.set("dfs.http.policy", "HTTPS_ONLY");
        conf.set("dfs.namenode.https-address", s.host() + ":" + s.nameNodeHttpsPort());
        conf.set("dfs.datanode.https.address", s.host() + ":0");
        conf.set("dfs.datanode.address", s.host() + ":0");
        conf.set("dfs.datanode.ipc.address", s.host() + ":0");
        conf.setBoolean("dfs.webhdfs.enabled", true);
        conf.setBoolean("dfs.permissions.enabled", true);
        conf.set("dfs.permissions.superusergroup", "supergroup");
        conf.set("fs.permissions.umask-mode", "027");
        conf.setInt("dfs.replication", 1);
        conf.set("hadoop.ssl.server.conf", SSL_SERVER);
        conf.set("hadoop.ssl.client.conf", SSL_CLIENT);
        conf.set("dfs.https.server.keystore.resource", SSL_SERVER);
        conf.set("dfs.client.https.keystore.resource", SSL_CLIENT);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, s.dataDir().toString());
        writeSslConfiguration(s);
        HadoopSecurity.useConfiguration(conf);

        boolean firstStart = !Files.exists(s.dataDir().resolve("name1"));
        // Hadoop reads ssl-server.xml / ssl-client.xml only as class-path resources; the servers are
        // built on this thread, so a context class loader that sees confDir is enough.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader withConf = new URLClassLoader(new URL[] {s.confDir().toUri().toURL()}, previous)) {
            thread.setContextClassLoader(withConf);
            conf.setClassLoader(withConf);
            MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, s.dataDir().toFile())
                    .nameNodePort(s.nameNodePort())
                    .numDataNodes(1)
                    .format(firstStart)
                    .manageNameDfsDirs(true)
                    .manageDataDfsDirs(true)
                    .checkDataNodeAddrConfig(true)
                    .skipFsyncForTesting(false)
                    .waitSafeMode(true)
                    .build();
            cluster.waitActive();
            return new EmbeddedHdfs(s, cluster, clientConf);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("HDFS failed to start in " + s.dataDir() + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void writeSslConfiguration(HdfsSettings s) {
        try {
            Files.createDirectories(s.confDir());
            writeXml(s.confDir().resolve(SSL_SERVER), new String[][] {
                    {"ssl.server.keystore.type", "pkcs12"},
                    {"ssl.server.keystore.location", s.tls().keystore().toString()},
                    {"ssl.server.keystore.password", s.tls().keystorePassword()},
                    {"ssl.server.keystore.keypassword", s.tls().keystorePassword()},
                    {"ssl.server.truststore.type", "pkcs12"},
                    {"ssl.server.truststore.location", s.tls().truststore().toString()},
                    {"ssl.server.truststore.password", s.tls().truststorePassword()}});
            writeXml(s.confDir().resolve(SSL_CLIENT), new String[][] {
                    {"ssl.client.truststore.type", "pkcs12"},
                    {"ssl.client.truststore.location", s.tls().truststore().toString()},
                    {"ssl.client.truststore.password", s.tls().truststorePassword()}});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Hadoop TLS configuration to " + s.confDir(), e);
        }
    }

    /** The key that signs SPNEGO session cookies: random, per stack, readable by the owner only. */
    private static Path signatureSecret(HdfsSettings s) {
        Path file = s.confDir().resolve("http-auth-signature-secret");
        try {
            Files.createDirectories(s.confDir());
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new java.security.SecureRandom().nextBytes(secret);
                Files.writeString(file, java.util.HexFormat.of().formatHex(secret));
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file, e);
        }
    }

    private static void writeXml(Path file, String[][] properties) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write("<?xml version=\"1.0\"?>\n<!-- Generated by securelake at start; holds store passwords. -->\n<configuration>\n");
            for (String[] p : properties) {
                w.write("  <property><name>" + p[0] + "</name><value>" + p[1] + "</value></property>\n");
            }
            w.write("</configuration>\n");
        }
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    public String nameNodeUri() {
        return settings.nameNodeUri();
    }

    /** {@code https://host:port}; WebHDFS lives under {@code /webhdfs/v1}. */
    public String webHdfsUrl() {
        InetSocketAddress a = cluster.getNameNode().getHttpsAddress();
        return "https://" + settings.host() + ":" + a.getPort();
    }

    /** A client configuration for this HDFS (a copy: callers may change it). */
    public Configuration clientConfiguration() {
        return new Configuration(clientConf);
    }

    public boolean isUp() {
        return cluster.isClusterUp() && cluster.isDataNodeUp();
    }

    @Override
    public void close() {
        cluster.shutdown();
    }
}
