package io.securelake.devstack.hdfs;

import io.securelake.envs.Environment;
import io.securelake.hadoop.HadoopSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor;
import org.apache.hadoop.hdfs.server.namenode.NameNode;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.apache.hadoop.security.authorize.ProxyUsers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real NameNode ({@link NameNode}, no MiniDFSCluster) with the local stack's security ({@link
 * HdfsServerConfiguration}): Kerberos RPC, HTTPS-only WebHDFS with SPNEGO. Its namespace lives in {@code
 * dataDir/namenode}, formatted on the first start only, so a restart (in this JVM or as a new process) loses nothing.
 *
 * <p>It does not wait for DataNodes: they may run in other processes and start later. Until one has reported its
 * blocks the NameNode cannot serve them, and while too few are known it stays in safe mode (no writes); {@link
 * #awaitDataNodes} and {@link #awaitOutOfSafeMode} wait for those ends.
 */
public final class EmbeddedNameNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNameNode.class);

    /**
     * JDK 17: WebHDFS's Jersey uses jaxb-impl 2.2, whose bytecode optimiser fails; its reflective path works. A
     * JVM-wide system property, so the process sets it to {@code true} (its main, or {@code -D} as the launcher passes
     * it) and {@link #start} only checks it.
     */
    public static final String JAXB_NO_OPTIMIZE = "com.sun.xml.bind.v2.bytecode.ClassTailor.noOptimize";

    private final HdfsSettings settings;
    private final NameNode nameNode;
    private final Configuration conf;
    private final Configuration clientConf;
    private final String webHdfsUrl;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedNameNode(HdfsSettings settings, NameNode nameNode, Configuration conf, Configuration clientConf) {
        this.settings = settings;
        this.nameNode = nameNode;
        this.conf = conf;
        this.clientConf = clientConf;
        this.webHdfsUrl = "https://" + settings.host() + ":" + nameNode.getHttpsAddress().getPort();
    }

    /**
     * Formats the namespace if {@code s.dataDir()} holds none yet, starts the NameNode on it, and returns once its
     * RPC and HTTPS servers serve. The JVM must use the realm's krb5.conf and have {@value #JAXB_NO_OPTIMIZE} set.
     */
    public static EmbeddedNameNode start(Environment env, HdfsSettings s) {
        requireJaxbNoOptimize();
        Configuration conf = HdfsServerConfiguration.create(env, s);
        List<Path> nameDirs = HdfsServerConfiguration.nameDirs(s.dataDir());
        nameDirs.forEach(HdfsServerConfiguration::ownerOnlyDirectory);
        conf.set("dfs.namenode.name.dir", HdfsServerConfiguration.uris(nameDirs));
        HadoopSecurity.useConfiguration(conf);
        // A NameNode started again in the same JVM (a restart, or one beside a DataNode) registers metrics under names
        // the stopped one used; Hadoop refuses duplicates unless told they are expected. Each process of the local
        // stack runs one NameNode at a time, so nothing is monitored under an ambiguous name.
        DefaultMetricsSystem.setMiniClusterMode(true);
        try {
            NameNode nameNode = HadoopConfFiles.withConfDirOnClassPath(s.confDir(), () -> {
                // ssl-server.xml is read through the configuration's class loader, taken here.
                conf.setClassLoader(Thread.currentThread().getContextClassLoader());
                if (!HdfsServerConfiguration.formatted(s.dataDir())) {
                    // Formatting wipes a name directory without asking: only where there is nothing to lose. Anything
                    // in a directory without a readable current/VERSION (an interrupted upgrade, a damaged file) is
                    // for an operator to look at, not for a start to erase.
                    for (Path dir : nameDirs) {
                        try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(dir)) {
                            if (entries.findAny().isPresent()) {
                                throw new IllegalStateException("the name directory " + dir + " holds files but no "
                                        + "readable current/VERSION: refusing to format it (a namespace may be there); "
                                        + "inspect it, then empty it to start a new namespace");
                            }
                        }
                    }
                    LOG.info("formatting a new HDFS namespace in {}", nameDirs);
                    // A copy: format() adds keys of its own; the NameNode starts from the stack's configuration.
                    NameNode.format(new Configuration(conf));
                }
                // No arguments: a regular start on the existing namespace. (Never -format here: NameNode's
                // command-line path ends the JVM when it is done.)
                return NameNode.createNameNode(new String[0], conf);
            });
            EmbeddedNameNode started = new EmbeddedNameNode(s, nameNode, conf,
                    HadoopSecurity.clientConfiguration(env, s.nameNodeUri(), s.hdfsPrincipal()));
            started.refreshProxyUsers();
            LOG.info("NameNode serving {} (RPC) and {} (WebHDFS), namespace in {}", s.nameNodeUri(), started.webHdfsUrl,
                    nameDirs);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("the NameNode failed to start in " + s.dataDir() + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("the NameNode failed to start in " + s.dataDir() + ": " + e.getMessage(), e);
        }
    }

    static void requireJaxbNoOptimize() {
        if (!"true".equals(System.getProperty(JAXB_NO_OPTIMIZE))) {
            throw new IllegalStateException("WebHDFS on JDK 17 needs the system property " + JAXB_NO_OPTIMIZE
                    + "=true, which the process must set before HDFS starts (-D" + JAXB_NO_OPTIMIZE
                    + "=true, or System.setProperty in its main); it is " + System.getProperty(JAXB_NO_OPTIMIZE));
        }
    }

    /** {@code hdfs://host:port}. */
    public String nameNodeUri() {
        return settings.nameNodeUri();
    }

    /** {@code https://host:port}; WebHDFS lives under {@code /webhdfs/v1}. */
    public String webHdfsUrl() {
        return webHdfsUrl;
    }

    /** A client configuration for this HDFS (a copy: callers may change it). */
    public Configuration clientConfiguration() {
        return new Configuration(clientConf);
    }

    /**
     * Hadoop keeps the proxy-user rules JVM-wide ({@link ProxyUsers}); another component of this JVM that initialises
     * them later (the KMS does) replaces the NameNode's. Re-applies the NameNode's rules.
     */
    public void refreshProxyUsers() {
        ProxyUsers.refreshSuperUserGroupsConfiguration(conf);
    }

    /** Whether the NameNode refuses changes because no DataNode has reported enough of its blocks yet. */
    public boolean isInSafeMode() {
        return nameNode.isInSafeMode();
    }

    /**
     * Returns once the NameNode has left safe mode: at once on a new namespace, otherwise after a DataNode reported
     * the blocks (which needs a running DataNode).
     *
     * @throws IllegalStateException if it has not within {@code timeout}, or this thread was interrupted
     */
    public void awaitOutOfSafeMode(Duration timeout) {
        await(() -> !nameNode.isInSafeMode(), timeout,
                "the NameNode at " + nameNodeUri() + " left safe mode (is a DataNode running?)");
    }

    private void await(BooleanSupplier condition, Duration timeout, String what) {
        try {
            Await.until(() -> closed.get() || condition.getAsBoolean(), timeout, what);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (closed.get()) {
            throw new IllegalStateException("the NameNode at " + nameNodeUri() + " was stopped while waiting until " + what);
        }
    }

    /**
     * Live DataNodes that have sent a full block report since they (last) registered: the NameNode knows where their
     * blocks are. A DataNode that registers again (after a restart of either side) counts once its new report is in.
     */
    public int reportedDataNodes() {
        return (int) nameNode.getNamesystem().getBlockManager().getDatanodeManager()
                .getDatanodeListForReport(HdfsConstants.DatanodeReportType.LIVE).stream()
                .filter(DatanodeDescriptor::checkBlockReportReceived).count();
    }

    /**
     * Returns once {@code count} DataNodes have registered and reported their blocks ({@link #reportedDataNodes()}) and
     * the NameNode is out of safe mode: from then on every block they hold can be read, and files written.
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}, or this thread was interrupted
     */
    public void awaitDataNodes(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        await(() -> reportedDataNodes() >= count, timeout,
                count + " DataNode(s) registered with the NameNode at " + nameNodeUri() + " and reported their blocks");
        awaitOutOfSafeMode(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** Whether it still serves (not closed, not stopped by a fatal error of its own). */
    public boolean isRunning() {
        return !closed.get() && nameNode.isActiveState();
    }

    /** Stops the NameNode and waits for its threads; the namespace stays on disk for the next start. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            nameNode.stop();
            nameNode.join();
            LOG.info("NameNode {} stopped", nameNodeUri());
        }
    }
}
