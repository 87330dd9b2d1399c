package io.securelake.devstack.hdfs;

import io.securelake.envs.Environment;
import io.securelake.hadoop.HadoopSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Map;
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

    /**
     * JDK 17: WebHDFS's Jersey uses jaxb-impl 2.2, whose bytecode optimiser fails; its reflective path works. A
     * JVM-wide system property, so the process sets it to {@code true} (CoreProcess's main, or {@code -D} as the
     * launcher passes it) and {@link #start} only checks it.
     */
    public static final String JAXB_NO_OPTIMIZE = "com.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize";

    public static EmbeddedHdfs start(Environment env, HdfsSettings s) {
        if (!"true".equals(System.getProperty(JAXB_NO_OPTIMIZE))) {
            throw new IllegalStateException("WebHDFS on JDK 17 needs the system property " + JAXB_NO_OPTIMIZE
                    + "=true, which the process must set before HDFS starts (-D" + JAXB_NO_OPTIMIZE
                    + "=true, or System.setProperty in its main); it is " + System.getProperty(JAXB_NO_OPTIMIZE));
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
        // ... and no delegation token for a request made on someone's behalf (a person through the gateway).
        conf.set("hadoop.http.filter.initializers", "org.apache.hadoop.security.AuthenticationFilterInitializer,"
                + io.securelake.policies.hdfs.ProxiedDelegationTokenGuard.Initializer.class.getName());
        conf.set("hadoop.http.authentication.type", "kerberos");
        conf.set("hadoop.http.authentication.simple.anonymous.allowed", "false");
        conf.set("hadoop.http.authentication.kerberos.principal", s.httpPrincipal());
        conf.set("hadoop.http.authentication.kerberos.keytab", s.httpKeytab().toString());
        // The key that signs SPNEGO session cookies: random per stack.
        conf.set("hadoop.http.authentication.signature.secret.file",
                HadoopConfFiles.secretFile(s.confDir().resolve("http-auth-signature-secret")).toString());
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
        // A client closing a file it has hsync'ed need not wait for the DataNode's report of the last block:
        // without this, the lake-writer's every file close slept 400 ms in DFSClient's completeFile retry.
        conf.setInt("dfs.namenode.file.close.num-committed-allowed", 1);
        conf.set("hadoop.ssl.server.conf", SSL_SERVER);
        conf.set("hadoop.ssl.client.conf", SSL_CLIENT);
        conf.set("dfs.https.server.keystore.resource", SSL_SERVER);
        conf.set("dfs.client.https.keystore.resource", SSL_CLIENT);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, s.dataDir().toString());
        // The Knox gateway acts for people (WebHDFS doAs): only it, only from this machine, only for the
        // environment's people; HDFS then decides and audits as the person.
        String gateway = io.securelake.envs.EnvironmentNames.shortName(env.names().servicePrincipal(io.securelake.envs.ServiceRole.GATEWAY));
        conf.set("hadoop.proxyuser." + gateway + ".hosts", "127.0.0.1,localhost");
        conf.set("hadoop.proxyuser." + gateway + ".users", String.join(",",
                env.people().stream().map(p -> env.names().personPrincipal(p)).toList()));
        s.authorizationProps().forEach(conf::set);
        writeSslConfiguration(s);
        HadoopSecurity.useConfiguration(conf);

        boolean firstStart = !formatted(s.dataDir());
        try {
            MiniDFSCluster cluster = HadoopConfFiles.withConfDirOnClassPath(s.confDir(), () -> {
                conf.setClassLoader(Thread.currentThread().getContextClassLoader());
                MiniDFSCluster c = new MiniDFSCluster.Builder(conf, s.dataDir().toFile())
                        .nameNodePort(s.nameNodePort())
                        .numDataNodes(1)
                        .format(firstStart)
                        .manageNameDfsDirs(true)
                        .manageDataDfsDirs(true)
                        .checkDataNodeAddrConfig(true)
                        .skipFsyncForTesting(false)
                        .waitSafeMode(true)
                        .build();
                c.waitActive();
                return c;
            });
            return new EmbeddedHdfs(s, cluster, clientConf);
        } catch (IOException e) {
            throw new UncheckedIOException("HDFS failed to start in " + s.dataDir() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("HDFS failed to start in " + s.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static void writeSslConfiguration(HdfsSettings s) {
        HadoopConfFiles.writeXml(s.confDir().resolve(SSL_SERVER), Map.of(
                "ssl.server.keystore.type", "pkcs12",
                "ssl.server.keystore.location", s.tls().keystore().toString(),
                "ssl.server.keystore.password", s.tls().keystorePassword(),
                "ssl.server.keystore.keypassword", s.tls().keystorePassword(),
                "ssl.server.truststore.type", "pkcs12",
                "ssl.server.truststore.location", s.tls().truststore().toString(),
                "ssl.server.truststore.password", s.tls().truststorePassword()));
        HadoopConfFiles.writeXml(s.confDir().resolve(SSL_CLIENT), Map.of(
                "ssl.client.truststore.type", "pkcs12",
                "ssl.client.truststore.location", s.tls().truststore().toString(),
                "ssl.client.truststore.password", s.tls().truststorePassword()));
    }

    public String nameNodeUri() {
        return settings.nameNodeUri();
    }

    /** {@code https://host:port}; WebHDFS lives under {@code /webhdfs/v1}. */
    public String webHdfsUrl() {
        InetSocketAddress a = cluster.getNameNode().getHttpsAddress();
        return "https://" + settings.host() + ":" + a.getPort();
    }

    /**
     * Whether a NameNode directory under {@code dataDir} holds a formatted namespace ({@code name-0-1/current/VERSION}
     * in Hadoop 3.4's layout): then the cluster restarts on it instead of formatting, and no data is lost.
     */
    static boolean formatted(java.nio.file.Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return false;
        }
        try (java.util.stream.Stream<java.nio.file.Path> dirs = Files.list(dataDir)) {
            return dirs.anyMatch(d -> d.getFileName().toString().startsWith("name")
                    && Files.isRegularFile(d.resolve("current").resolve("VERSION")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dataDir, e);
        }
    }

    /** A client configuration for this HDFS (a copy: callers may change it). */
    public Configuration clientConfiguration() {
        return new Configuration(clientConf);
    }

    /**
     * Hadoop keeps the proxy-user rules JVM-wide ({@code ProxyUsers}); another component of this JVM that
     * initialises them later (the KMS does) replaces the NameNode's. Re-applies the NameNode's rules.
     */
    public void refreshProxyUsers() {
        org.apache.hadoop.security.authorize.ProxyUsers.refreshSuperUserGroupsConfiguration(cluster.getConfiguration(0));
    }

    /**
     * Stops the NameNode and starts it again on the same ports and namespace, as an operator's restart
     * does; the DataNode stays up and registers again. Returns once the NameNode is active and out of
     * safe mode. Clients see refused connections meanwhile (what the lake-writer must survive).
     */
    public void restartNameNode() {
        try {
            HadoopConfFiles.withConfDirOnClassPath(settings.confDir(), () -> {
                cluster.restartNameNode(true);
                cluster.waitActive();
                return null;
            });
            refreshProxyUsers();
        } catch (Exception e) {
            throw new IllegalStateException("restarting the NameNode failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stops the NameNode and leaves it down (the DataNode stays up): clients' calls are refused until
     * {@link #startNameNode()}. A test holds HDFS down this way until a client has seen the outage, instead of
     * hoping a client calls within the few seconds a {@link #restartNameNode()} takes.
     */
    public void stopNameNode() {
        cluster.shutdownNameNode(0);
    }

    /** Starts a NameNode stopped by {@link #stopNameNode()} on the same ports and namespace; returns as {@link #restartNameNode()}. */
    public void startNameNode() {
        restartNameNode(); // MiniDFSCluster's restart stops nothing when the NameNode is already down
    }

    public boolean isUp() {
        return cluster.isClusterUp() && cluster.isDataNodeUp();
    }

    @Override
    public void close() {
        cluster.shutdown();
    }
}
