package io.securelake.lakewriter;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real NameNode and DataNode (Hadoop's MiniDFSCluster), plain: no Kerberos, which the commit protocol does not
 * depend on. One per test class; each test starts from an empty {@code /lake}.
 */
final class MiniHdfs implements AutoCloseable {

    private final MiniDFSCluster cluster;

    private MiniHdfs(MiniDFSCluster cluster) {
        this.cluster = cluster;
    }

    static MiniHdfs start(java.nio.file.Path dir) throws IOException {
        Configuration conf = new HdfsConfiguration();
        conf.setInt("dfs.replication", 1);
        // As the embedded HDFS of the local stack: a closing client need not wait for the DataNode's block report.
        conf.setInt("dfs.namenode.file.close.num-committed-allowed", 1);
        conf.set("fs.permissions.umask-mode", "027");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, dir.toFile()).numDataNodes(1).build();
        cluster.waitActive();
        return new MiniHdfs(cluster);
    }

    /** A new client of its own (no cache), as the writer opens one at start and after every outage. */
    DistributedFileSystem newClient() throws IOException {
        Configuration conf = new Configuration(cluster.getConfiguration(0));
        conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);
        return (DistributedFileSystem) FileSystem.newInstance(cluster.getURI(), conf);
    }

    String uri() {
        return cluster.getURI().toString();
    }

    /** Removes what an earlier test left under {@code path}. */
    void wipe(String path) throws IOException {
        try (FileSystem fs = newClient()) {
            fs.delete(new Path(path), true);
        }
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
