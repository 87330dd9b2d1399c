package io.securelake.devstack.hdfs;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.policies.hdfs.ProxiedDelegationTokenGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;

/**
 * The one place the local stack's HDFS server configuration is built: the NameNode and the DataNode start from the
 * same settings (Kerberos RPC, SASL block transfer, HTTPS-only web endpoints with SPNEGO, WebHDFS, proxy-user
 * rules, the NameNode's authorization hook), whether they run in one JVM or in two processes. Each adds only its
 * own storage directories. Also owns the storage layout under {@link HdfsSettings#dataDir()}.
 */
public final class HdfsServerConfiguration {
    static final String SSL_SERVER = "ssl-server.xml";
    static final String SSL_CLIENT = "ssl-client.xml";

    /** Where the NameNode keeps its namespace (fsimage, edits) under {@code dataDir}. */
    static final String NAME_DIR = "namenode";
    /** Where the DataNode keeps its blocks under {@code dataDir}. */
    static final String DATA_DIR = "datanode";
    /**
     * The layout of the MiniDFSCluster this stack ran on before: two mirrored name directories and two data volumes.
     * A stack home created then keeps using them, so an upgrade loses no data.
     */
    private static final List<String> LEGACY_NAME_DIRS = List.of("name-0-1", "name-0-2");
    private static final List<String> LEGACY_DATA_DIRS = List.of("data/data1", "data/data2");

    private HdfsServerConfiguration() {
    }

    /**
     * Writes the TLS configuration files into {@link HdfsSettings#confDir()} (Hadoop reads them as class-path
     * resources, see {@link HadoopConfFiles#withConfDirOnClassPath}) and returns the server configuration shared by
     * the NameNode and the DataNode. A new object per call: callers add their own keys to it.
     */
    static Configuration create(Environment env, HdfsSettings s) {
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
                + ProxiedDelegationTokenGuard.Initializer.class.getName());
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
        // The DataNode's ports are ephemeral: it tells the NameNode where it listens when it registers.
        conf.set("dfs.datanode.https.address", s.host() + ":0");
        conf.set("dfs.datanode.address", s.host() + ":0");
        conf.set("dfs.datanode.ipc.address", s.host() + ":0");
        conf.setBoolean("dfs.webhdfs.enabled", true);
        conf.setBoolean("dfs.permissions.enabled", true);
        conf.set("dfs.permissions.superusergroup", HdfsNamespace.SUPERGROUP);
        conf.set("fs.permissions.umask-mode", "027");
        conf.setInt("dfs.replication", 1);
        // One DataNode: once it has reported its blocks the NameNode knows them all, and Hadoop's default 30 s of
        // extra safe mode (meant for many DataNodes reporting one after another) would only delay every restart.
        // MiniDFSCluster set the same value implicitly.
        conf.setInt("dfs.namenode.safemode.extension", 0);
        // A DataNode notices a restarted NameNode, registers again and gets leave to report its blocks only at its
        // heartbeats: at Hadoop's 3 s, a NameNode restart left the blocks unreadable for about 9 s. One heartbeat a
        // second costs one small local RPC.
        conf.setInt("dfs.heartbeat.interval", 1);
        // A client closing a file it has hsync'ed need not wait for the DataNode's report of the last block:
        // without this, the lake-writer's every file close slept 400 ms in DFSClient's completeFile retry.
        conf.setInt("dfs.namenode.file.close.num-committed-allowed", 1);
        conf.set("hadoop.ssl.server.conf", SSL_SERVER);
        conf.set("hadoop.ssl.client.conf", SSL_CLIENT);
        conf.set("dfs.https.server.keystore.resource", SSL_SERVER);
        conf.set("dfs.client.https.keystore.resource", SSL_CLIENT);
        // The Knox gateway acts for people (WebHDFS doAs): only it, only from this machine, only for the
        // environment's people; HDFS then decides and audits as the person.
        String gateway = EnvironmentNames.shortName(env.names().servicePrincipal(ServiceRole.GATEWAY));
        conf.set(proxyUserKey(gateway, "hosts"), "127.0.0.1,localhost");
        conf.set(proxyUserKey(gateway, "users"),
                env.people().stream().map(p -> env.names().personPrincipal(p)).collect(Collectors.joining(",")));
        s.authorizationProps().forEach(conf::set);
        writeSslConfiguration(s);
        return conf;
    }

    private static String proxyUserKey(String user, String what) {
        return "hadoop.proxyuser." + user + "." + what;
    }

    /** The NameNode's name directories: {@code namenode/}, or a legacy MiniDFSCluster pair when that holds the namespace. */
    static List<Path> nameDirs(Path dataDir) {
        List<Path> legacy = LEGACY_NAME_DIRS.stream().map(dataDir::resolve).toList();
        if (!Files.exists(dataDir.resolve(NAME_DIR)) && legacy.stream().anyMatch(HdfsServerConfiguration::holdsStorage)) {
            return legacy;
        }
        return List.of(dataDir.resolve(NAME_DIR));
    }

    /** The DataNode's volumes: {@code datanode/}, or the legacy MiniDFSCluster volumes when they hold its blocks. */
    static List<Path> dataDirs(Path dataDir) {
        List<Path> legacy = LEGACY_DATA_DIRS.stream().map(dataDir::resolve).toList();
        if (!Files.exists(dataDir.resolve(DATA_DIR)) && legacy.stream().anyMatch(HdfsServerConfiguration::holdsStorage)) {
            return legacy;
        }
        return List.of(dataDir.resolve(DATA_DIR));
    }

    /**
     * Whether the namespace under {@code dataDir} has been formatted (a {@code current/VERSION} in a name directory):
     * then the NameNode starts on it instead of formatting, and no data is lost.
     */
    static boolean formatted(Path dataDir) {
        return nameDirs(dataDir).stream().anyMatch(HdfsServerConfiguration::holdsStorage);
    }

    private static boolean holdsStorage(Path dir) {
        return Files.isRegularFile(dir.resolve("current").resolve("VERSION"));
    }

    /** A comma-separated list of {@code file:} URIs, as Hadoop's directory keys take them. */
    static String uris(List<Path> dirs) {
        return dirs.stream().map(d -> d.toAbsolutePath().toUri().toString()).collect(Collectors.joining(","));
    }

    /** Creates {@code dir} readable by its owner only (HDFS' own expectation for its storage) if it is missing. */
    static void ownerOnlyDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
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
}
