package io.securelake.devstack.hdfs;

import io.securelake.envs.Environment;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HDFS in this JVM: one {@link EmbeddedNameNode} and one {@link EmbeddedDataNode}, with Kerberos on (Kerberos
 * RPC, SASL-protected block transfer without privileged ports or root, HTTPS-only web endpoints with SPNEGO, WebHDFS).
 * Data persists in {@code dataDir} across restarts. For the core run in-process (integration tests); each of the two can
 * be stopped and started again alone, as an operator restarts one process.
 */
public final class EmbeddedHdfs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedHdfs.class);

    /** How long a start waits for the DataNode to register and for the NameNode to leave safe mode. */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

    /** @see EmbeddedNameNode#JAXB_NO_OPTIMIZE */
    public static final String JAXB_NO_OPTIMIZE = EmbeddedNameNode.JAXB_NO_OPTIMIZE;

    private final Environment env;
    private final HdfsSettings settings;
    /** The running servers; null while stopped. Guarded by {@code this}: a stop and a start must not interleave. */
    private EmbeddedNameNode nameNode;
    private EmbeddedDataNode dataNode;
    /** The NameNode's client configuration, kept while it is stopped (it does not change). */
    private final Configuration clientConf;
    /** The last started NameNode's WebHDFS address, kept while it is stopped. Guarded by {@code this}. */
    private String webHdfsUrl;

    private EmbeddedHdfs(Environment env, HdfsSettings settings, EmbeddedNameNode nameNode, EmbeddedDataNode dataNode) {
        this.env = env;
        this.settings = settings;
        this.nameNode = nameNode;
        this.dataNode = dataNode;
        this.clientConf = nameNode.clientConfiguration();
        this.webHdfsUrl = nameNode.webHdfsUrl();
    }

    /**
     * Starts the NameNode (formatting the namespace on the first start only), then the DataNode; returns once the
     * DataNode has registered and reported its blocks and the NameNode has left safe mode, so the cluster takes reads
     * and writes.
     */
    public static EmbeddedHdfs start(Environment env, HdfsSettings s) {
        EmbeddedNameNode nameNode = EmbeddedNameNode.start(env, s);
        try {
            EmbeddedDataNode dataNode = EmbeddedDataNode.start(env, s, READY_TIMEOUT);
            try {
                nameNode.awaitDataNodes(1, READY_TIMEOUT);
                return new EmbeddedHdfs(env, s, nameNode, dataNode);
            } catch (RuntimeException e) {
                dataNode.close();
                throw e;
            }
        } catch (RuntimeException e) {
            nameNode.close();
            throw e;
        }
    }

    public String nameNodeUri() {
        return settings.nameNodeUri();
    }

    /**
     * {@code https://host:port}; WebHDFS lives under {@code /webhdfs/v1}. The stack's NameNode has a fixed HTTPS port,
     * so the address holds across restarts; while it is stopped, the address it will serve again.
     */
    public synchronized String webHdfsUrl() {
        return webHdfsUrl;
    }

    /** A client configuration for this HDFS (a copy: callers may change it). */
    public Configuration clientConfiguration() {
        return new Configuration(clientConf);
    }

    /**
     * Hadoop keeps the proxy-user rules JVM-wide ({@code ProxyUsers}); another component of this JVM that
     * initialises them later (the KMS does) replaces the NameNode's. Re-applies the NameNode's rules.
     */
    public synchronized void refreshProxyUsers() {
        if (nameNode != null) {
            nameNode.refreshProxyUsers();
        }
    }

    /**
     * Stops the NameNode and starts it again on the same ports and namespace, as an operator's restart
     * does; the DataNode stays up and registers again. Returns once the NameNode is active and out of
     * safe mode. Clients see refused connections meanwhile (what the lake-writer must survive).
     */
    public synchronized void restartNameNode() {
        stopNameNode();
        startNameNode();
    }

    /**
     * Stops the NameNode and leaves it down (the DataNode stays up): clients' calls are refused until
     * {@link #startNameNode()}. A test holds HDFS down this way until a client has seen the outage, instead of
     * hoping a client calls within the few seconds a {@link #restartNameNode()} takes.
     */
    public synchronized void stopNameNode() {
        if (nameNode != null) {
            nameNode.close();
            nameNode = null;
        }
    }

    /**
     * Starts the NameNode on the same ports and namespace if it is stopped (otherwise does nothing); when the DataNode
     * runs, returns once it has registered again, reported its blocks, and the NameNode is out of safe mode.
     */
    public synchronized void startNameNode() {
        if (nameNode != null) {
            return;
        }
        nameNode = EmbeddedNameNode.start(env, settings);
        webHdfsUrl = nameNode.webHdfsUrl();
        if (dataNode != null) {
            // The running DataNode registers again and reports its blocks: until then they cannot be read.
            nameNode.awaitDataNodes(1, READY_TIMEOUT);
        }
    }

    /** Stops the DataNode and leaves it down: block reads and writes fail until {@link #startDataNode()}. */
    public synchronized void stopDataNode() {
        if (dataNode != null) {
            dataNode.close();
            dataNode = null;
        }
    }

    /**
     * Starts a new DataNode on the same volumes if it is stopped (otherwise does nothing); returns once it has
     * registered with the NameNode (which must run), reported its blocks, and the NameNode is out of safe mode.
     */
    public synchronized void startDataNode() {
        if (dataNode != null) {
            return;
        }
        if (nameNode == null) {
            throw new IllegalStateException("the DataNode registers with the NameNode, which is stopped: startNameNode() first");
        }
        dataNode = EmbeddedDataNode.start(env, settings, READY_TIMEOUT);
        nameNode.awaitDataNodes(1, READY_TIMEOUT);
    }

    public synchronized boolean isUp() {
        return nameNode != null && nameNode.isRunning() && dataNode != null && dataNode.isRunning();
    }

    /** Stops the DataNode, then the NameNode (the order of MiniDFSCluster's shutdown: no DataNode left orphaned). */
    @Override
    public synchronized void close() {
        try {
            stopDataNode();
        } finally {
            stopNameNode();
        }
        LOG.info("HDFS of {} stopped", settings.nameNodeUri());
    }
}
