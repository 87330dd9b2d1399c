package io.securelake.devstack.hdfs;

import io.securelake.envs.Environment;
import io.securelake.hadoop.HadoopSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real DataNode ({@link DataNode}, no MiniDFSCluster) with the local stack's security ({@link
 * HdfsServerConfiguration}, the NameNode's own): Kerberos RPC, SASL-protected block transfer on unprivileged ports,
 * HTTPS only. Its blocks live in {@code dataDir/datanode}; a new DataNode on that directory serves them again. It finds
 * the NameNode at {@link HdfsSettings#nameNodeUri()}, in this JVM or in another process.
 */
public final class EmbeddedDataNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDataNode.class);

    /**
     * How long {@link #start(Environment, HdfsSettings)} waits for the registration: a NameNode that is itself still
     * starting (a process launched at the same time) gets that long to come up.
     */
    public static final Duration DEFAULT_REGISTRATION_TIMEOUT = Duration.ofMinutes(2);

    private final HdfsSettings settings;
    private final DataNode dataNode;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedDataNode(HdfsSettings settings, DataNode dataNode) {
        this.settings = settings;
        this.dataNode = dataNode;
    }

    /** {@link #start(Environment, HdfsSettings, Duration)} with {@link #DEFAULT_REGISTRATION_TIMEOUT}. */
    public static EmbeddedDataNode start(Environment env, HdfsSettings s) {
        return start(env, s, DEFAULT_REGISTRATION_TIMEOUT);
    }

    /**
     * Starts a DataNode on {@code s.dataDir()/datanode} and returns once it has registered with the NameNode and had a
     * heartbeat answered; stops it again and fails if that takes longer than {@code registrationTimeout}. The JVM must
     * use the realm's krb5.conf.
     */
    public static EmbeddedDataNode start(Environment env, HdfsSettings s, Duration registrationTimeout) {
        Configuration conf = HdfsServerConfiguration.create(env, s);
        List<Path> dataDirs = HdfsServerConfiguration.dataDirs(s.dataDir());
        // HDFS checks its volumes are its owner's alone (dfs.datanode.data.dir.perm, 700); create them so from the start.
        dataDirs.forEach(HdfsServerConfiguration::ownerOnlyDirectory);
        conf.set("dfs.datanode.data.dir", HdfsServerConfiguration.uris(dataDirs));
        HadoopSecurity.useConfiguration(conf);
        // See EmbeddedNameNode: a DataNode started again in this JVM reuses metric names.
        DefaultMetricsSystem.setMiniClusterMode(true);
        DataNode dataNode;
        try {
            dataNode = HadoopConfFiles.withConfDirOnClassPath(s.confDir(), () -> {
                // ssl-server.xml (the HTTPS endpoint) is read through the configuration's class loader, taken here.
                conf.setClassLoader(Thread.currentThread().getContextClassLoader());
                // No SecureResources: block transfer is protected by SASL (dfs.data.transfer.protection), not by
                // privileged ports, so neither root nor jsvc is needed.
                return DataNode.createDataNode(new String[0], conf);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("the DataNode failed to start in " + dataDirs + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("the DataNode failed to start in " + dataDirs + ": " + e.getMessage(), e);
        }
        EmbeddedDataNode started = new EmbeddedDataNode(s, dataNode);
        try {
            // Registered, and a heartbeat answered by the active NameNode: from then on it is sent blocks to store.
            Await.until(() -> dataNode.isDatanodeFullyStarted(true), registrationTimeout,
                    "the DataNode registered with the NameNode at " + s.nameNodeUri());
        } catch (TimeoutException | InterruptedException e) {
            started.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(e.getMessage() + " (is the NameNode running? its log names any refusal)", e);
        }
        LOG.info("DataNode of {} serving block transfer on {}, volumes {}", s.nameNodeUri(), dataNode.getXferAddress(),
                dataDirs);
        return started;
    }

    /** Where it serves block transfer (an ephemeral port, new at every start). */
    public InetSocketAddress transferAddress() {
        return dataNode.getXferAddress();
    }

    /** Whether it still runs and talks to a NameNode. */
    public boolean isRunning() {
        return !closed.get() && dataNode.isDatanodeUp();
    }

    public String nameNodeUri() {
        return settings.nameNodeUri();
    }

    /** Stops the DataNode; its blocks stay on disk for the next start. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            dataNode.shutdown();
            LOG.info("DataNode of {} stopped", settings.nameNodeUri());
        }
    }
}
