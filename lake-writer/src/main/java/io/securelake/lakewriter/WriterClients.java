package io.securelake.lakewriter;

import io.securelake.envs.Environment;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Where the writer's Kafka consumer and HDFS clients come from, and as whom they act. Production uses
 * {@link #kerberized}: a keytab login, a Kerberized HDFS with encrypted RPC, a SASL_SSL consumer. Tests pass Kafka's
 * {@code MockConsumer} and a MiniDFSCluster's file system, so the exactly-once protocol runs without the whole stack.
 */
public interface WriterClients {

    /** The writer's loop, run as the clients' identity. */
    @FunctionalInterface
    interface Loop {
        void run() throws IOException;
    }

    /**
     * Logs in if the clients need it, then runs {@code loop} as that identity (every client the loop opens acts as it).
     *
     * @throws IllegalStateException if the login fails
     */
    void runAs(Loop loop) throws IOException, InterruptedException;

    /** Called on every turn of the loop: renews the login before its tickets expire (cheap while they are fresh). */
    void renewLogin() throws IOException;

    /** A new HDFS client: the writer opens one at start and after every outage, and closes each it opened. */
    FileSystem newFileSystem() throws IOException;

    /** The consumer of the raw topics: the writer subscribes it, polls it on its own thread and closes it. */
    Consumer<byte[], byte[]> newConsumer();

    /** The production clients: logged in from the configured keytab, against the configured Kafka and HDFS. */
    static WriterClients kerberized(LakeWriterConfig config, Environment env) {
        return new KerberizedClients(config, env);
    }
}
