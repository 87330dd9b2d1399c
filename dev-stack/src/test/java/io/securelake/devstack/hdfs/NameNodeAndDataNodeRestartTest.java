package io.securelake.devstack.hdfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.devstack.local.LocalRealm;
import io.securelake.devstack.tls.TlsMaterial;
import io.securelake.envs.Environment;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.testsupport.ShippedEnvironments;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kerberized NameNode and DataNode started apart, as the local stack's processes start them, each stopped and started
 * again alone on its own storage: nothing written is lost, and HDFS takes writes again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NameNodeAndDataNodeRestartTest {
    private static final Duration READY = Duration.ofSeconds(60);

    private final Environment env = ShippedEnvironments.load("dev");
    private EmbeddedKdc kdc;
    private Path tlsDir;
    private HdfsSettings settings;
    private String hdfsPrincipal;
    private Path hdfsKeytab;

    @BeforeAll
    void realmAndTls(@TempDir Path dir) throws IOException {
        // What the process's main does before any HDFS start (see EmbeddedNameNode#start).
        System.setProperty(EmbeddedNameNode.JAXB_NO_OPTIMIZE, "true");
        kdc = EmbeddedKdc.start(KdcSettings.localhost(env.realm(), dir.resolve("kdc")));
        KerberosJvm.useKrb5Conf(kdc.krb5Conf());
        hdfsPrincipal = kdc.qualify(LocalRealm.hdfsPrincipal());
        String httpPrincipal = kdc.qualify(LocalRealm.httpPrincipal());
        kdc.createPrincipal(LocalRealm.hdfsPrincipal());
        kdc.createPrincipal(LocalRealm.httpPrincipal());
        hdfsKeytab = kdc.exportKeytab(LocalRealm.hdfsPrincipal(), dir.resolve("hdfs.keytab"));
        Path httpKeytab = kdc.exportKeytab(LocalRealm.httpPrincipal(), dir.resolve("http.keytab"));
        tlsDir = dir.resolve("tls");
        TlsMaterial tls = TlsMaterial.ensure(tlsDir, env.name());
        settings = new HdfsSettings(LocalRealm.HOST, freePort(), freePort(), dir.resolve("hdfs"), dir.resolve("conf"),
                hdfsPrincipal, hdfsKeytab, httpPrincipal, httpKeytab, tls, Map.of());
    }

    @AfterAll
    void stopKdc() {
        if (kdc != null) {
            kdc.close();
        }
    }

    @Test
    void eachServerRestartsAloneOnItsOwnStorageAndNothingIsLost() throws Exception {
        EmbeddedNameNode nameNode = EmbeddedNameNode.start(env, settings);
        try {
            assertThat(nameNode.webHdfsUrl()).isEqualTo("https://localhost:" + settings.nameNodeHttpsPort());
            Path volume = settings.dataDir().resolve("datanode");
            try (EmbeddedDataNode dataNode = EmbeddedDataNode.start(env, settings, READY)) {
                assertThat(dataNode.isRunning()).isTrue();
                assertThat(Files.getPosixFilePermissions(volume)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
                nameNode.awaitDataNodes(1, READY);
                write(nameNode.clientConfiguration(), "/probe/first", "written before any restart");
            }

            // A new DataNode on the same volume serves the block the first one stored.
            try (EmbeddedDataNode dataNode = EmbeddedDataNode.start(env, settings, READY)) {
                nameNode.awaitDataNodes(1, READY);
                assertThat(read(nameNode.clientConfiguration(), "/probe/first")).isEqualTo("written before any restart");

                // The NameNode restarts on its namespace (not formatted again); the running DataNode registers again
                // and reports the block.
                nameNode.close();
                assertThat(nameNode.isRunning()).isFalse();
                nameNode = EmbeddedNameNode.start(env, settings);
                nameNode.awaitDataNodes(1, READY);
                assertThat(read(nameNode.clientConfiguration(), "/probe/first")).isEqualTo("written before any restart");
                write(nameNode.clientConfiguration(), "/probe/second", "written after the restarts");
                assertThat(read(nameNode.clientConfiguration(), "/probe/second")).isEqualTo("written after the restarts");
                assertThat(dataNode.isRunning()).isTrue();
            }
        } finally {
            nameNode.close();
        }
    }

    @Test
    void theInProcessClusterStopsAndStartsEitherServerAlone(@TempDir Path dir) throws Exception {
        HdfsSettings own = new HdfsSettings(settings.host(), freePort(), freePort(), dir.resolve("hdfs"),
                dir.resolve("conf"), settings.hdfsPrincipal(), settings.hdfsKeytab(), settings.httpPrincipal(),
                settings.httpKeytab(), settings.tls(), Map.of());
        try (EmbeddedHdfs hdfs = EmbeddedHdfs.start(env, own)) {
            assertThat(hdfs.isUp()).isTrue();
            write(hdfs.clientConfiguration(), "/probe/kept", "kept");

            hdfs.stopDataNode();
            assertThat(hdfs.isUp()).isFalse();
            hdfs.startDataNode();
            assertThat(read(hdfs.clientConfiguration(), "/probe/kept")).isEqualTo("kept");

            hdfs.stopNameNode();
            assertThat(hdfs.isUp()).isFalse();
            assertThat(hdfs.webHdfsUrl()).isEqualTo("https://localhost:" + own.nameNodeHttpsPort());
            hdfs.startNameNode();
            assertThat(hdfs.isUp()).isTrue();
            assertThat(read(hdfs.clientConfiguration(), "/probe/kept")).isEqualTo("kept");
            write(hdfs.clientConfiguration(), "/probe/new", "new");
            assertThat(read(hdfs.clientConfiguration(), "/probe/new")).isEqualTo("new");
        }
        // A second start of the whole cluster on the same directory formats nothing.
        try (EmbeddedHdfs hdfs = EmbeddedHdfs.start(env, own)) {
            assertThat(read(hdfs.clientConfiguration(), "/probe/kept")).isEqualTo("kept");
        }
    }

    @Test
    void aDataNodeInItsOwnProcessKilledAndStartedAgainServesItsBlocks(@TempDir Path dir) throws Exception {
        HdfsSettings own = new HdfsSettings(settings.host(), freePort(), freePort(), dir.resolve("hdfs"),
                dir.resolve("conf"), settings.hdfsPrincipal(), settings.hdfsKeytab(), settings.httpPrincipal(),
                settings.httpKeytab(), settings.tls(), Map.of());
        try (EmbeddedNameNode nameNode = EmbeddedNameNode.start(env, own)) {
            try (DataNodeProcess dataNode = DataNodeProcess.start(kdc.krb5Conf(), env, own, tlsDir, READY)) {
                nameNode.awaitDataNodes(1, READY);
                write(nameNode.clientConfiguration(), "/probe/remote", "stored by another process");
                dataNode.kill();
            }
            try (DataNodeProcess dataNode = DataNodeProcess.start(kdc.krb5Conf(), env, own, tlsDir, READY)) {
                // Registered again (same storage, new ports): wait for its new block report before reading.
                nameNode.awaitDataNodes(1, READY);
                assertThat(read(nameNode.clientConfiguration(), "/probe/remote")).isEqualTo("stored by another process");
            }
        }
    }

    private void write(Configuration conf, String path, String text) throws IOException {
        HadoopSecurity.doAs(hdfs(conf), () -> {
            try (FileSystem fs = FileSystem.get(conf);
                    OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path))) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
    }

    private String read(Configuration conf, String path) throws IOException {
        return HadoopSecurity.doAs(hdfs(conf), () -> {
            try (FileSystem fs = FileSystem.get(conf); InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }

    /** The HDFS superuser, logged in explicitly (never the JVM's default login user, see verified-stack.md). */
    private UserGroupInformation hdfs(Configuration conf) {
        return HadoopSecurity.login(conf, hdfsPrincipal, hdfsKeytab);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LocalRealm.HOST))) {
            return s.getLocalPort();
        }
    }
}
