package io.securelake.lakewriter;

import io.securelake.envs.Environment;
import io.securelake.envs.HadoopClientSettings;
import io.securelake.envs.KafkaClientSettings;
import io.securelake.kerberos.Jaas;
import io.securelake.kerberos.KerberosJvm;
import java.io.IOException;
import java.security.PrivilegedExceptionAction;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The writer's production clients: logged in as the environment's lake-writer principal from its keytab, a
 * Kerberized HDFS client with encrypted RPC and block transfer, and a SASL_SSL/GSSAPI Kafka consumer.
 */
final class KerberizedClients implements WriterClients {

    private final LakeWriterConfig config;
    private final Environment env;
    private final Configuration hadoopConf;
    /** Set by {@link #runAs}, before the loop (the only caller of the other methods) starts. */
    private UserGroupInformation ugi;

    KerberizedClients(LakeWriterConfig config, Environment env) {
        this.config = config;
        this.env = env;
        this.hadoopConf = hadoopConfiguration(config);
    }

    /** Client settings for a Kerberized HDFS with encrypted RPC and block transfer. */
    static Configuration hadoopConfiguration(LakeWriterConfig config) {
        Configuration conf = new HdfsConfiguration();
        HadoopClientSettings.kerberized(config.nameNode(), config.nameNodePrincipal()).forEach(conf::set);
        // The client needs no group lookups; never shell out for them.
        conf.set("hadoop.security.group.mapping", "org.apache.hadoop.security.NullGroupsMapping");
        conf.setBoolean("fs.hdfs.impl.disable.cache", true);
        // Raw files readable by the ETL group only: directories 750, files 640.
        conf.set("fs.permissions.umask-mode", "027");
        // Closing a file waits until the NameNode has the last block: ask again after 10 ms, doubling, 10 times
        // (10.2 s in all), instead of Hadoop's first wait of 400 ms. The writer closes files on its one thread,
        // two per commit, and half of the closes had to ask twice: 50 ms first waits were a quarter of a commit.
        conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 10);
        conf.setInt("dfs.client.block.write.locateFollowingBlock.retries", 10);
        config.hadoopOverrides().forEach(conf::set);
        return conf;
    }

    @Override
    public void runAs(Loop loop) throws IOException, InterruptedException {
        config.krb5Conf().ifPresent(krb5 -> KerberosJvm.requireKrb5Conf(krb5, "the lake-writer"));
        UserGroupInformation.setConfiguration(hadoopConf);
        try {
            ugi = UserGroupInformation.loginUserFromKeytabAndReturnUGI(config.principal(), config.keytab().toString());
        } catch (IOException e) {
            throw new IllegalStateException("Kerberos login as " + config.principal() + " from " + config.keytab()
                    + " failed: " + e.getMessage(), e);
        }
        ugi.doAs((PrivilegedExceptionAction<Void>) () -> {
            loop.run();
            return null;
        });
    }

    @Override
    public void renewLogin() throws IOException {
        // Cheap when the TGT is fresh; renews from the keytab before it expires (runs for days).
        ugi.checkTGTAndReloginFromKeytab();
    }

    @Override
    public FileSystem newFileSystem() throws IOException {
        return FileSystem.newInstance(hadoopConf);
    }

    @Override
    public Consumer<byte[], byte[]> newConsumer() {
        return new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(KafkaClientSettings.kerberized(config.bootstrapServers(), config.caPem(), env.kerberos()));
        p.put(SaslConfigs.SASL_JAAS_CONFIG, Jaas.keytabLoginModule(config.principal(), config.keytab()));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, env.names().lakeWriterConsumerGroup());
        config.groupInstanceId().ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, "lake-writer-" + env.name() + "-" + config.writerId());
        // Offsets are recovered from the raw zone; Kafka's copy is only for lag monitoring.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxPollRecords()));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(config.fetchMaxBytes()));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(config.maxPartitionFetchBytes()));
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(config.sessionTimeoutMs()));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.toString(Math.max(1000, config.sessionTimeoutMs() / 5)));
        return p;
    }
}
