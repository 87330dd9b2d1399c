package io.securelake.policies.hdfs;

import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.engine.PolicyStore;
import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributeProvider;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;

/**
 * NameNode authorization hook: {@code dfs.namenode.inode.attributes.provider.class} = this class. Inode
 * attributes are left as they are; permission checks go to {@link RangerAccessControlEnforcer}.
 * <pre>
 * securelake.environment=dev
 * securelake.envs.dir=/path/to/envs
 * securelake.policies.dir=/path/to/security-policies/policies
 * securelake.audit.dir=/path/to/.securelake/dev/audit
 * securelake.hdfs.posix.fallback=false   (true: POSIX permissions decide what policies do not allow)
 * </pre>
 */
public final class RangerHdfsAuthorizer extends INodeAttributeProvider implements Configurable {
    public static final String ENVIRONMENT = "securelake.environment";
    public static final String ENVS_DIR = "securelake.envs.dir";
    public static final String POLICIES_DIR = "securelake.policies.dir";
    public static final String AUDIT_DIR = "securelake.audit.dir";
    public static final String POSIX_FALLBACK = "securelake.hdfs.posix.fallback";
    /** Identical decisions within this many ms after the first are audited as one summary record; 0: each in full. */
    public static final String AUDIT_SUMMARY_WINDOW_MS = "securelake.audit.summary.window.ms";
    public static final long DEFAULT_AUDIT_SUMMARY_WINDOW_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(RangerHdfsAuthorizer.class);

    private Configuration conf;
    private PolicyStore store;
    private AuditSink audit;

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
    }

    @Override
    public Configuration getConf() {
        return conf;
    }

    @Override
    public void start() {
        String envName = required(ENVIRONMENT);
        Environment env = EnvironmentCatalog.of(Path.of(required(ENVS_DIR))).load(envName);
        audit = new BatchingAuditSink(new JsonLinesAuditSink(Path.of(required(AUDIT_DIR))), 65_536,
                Duration.ofMillis(200), Duration.ofSeconds(30));
        long window = conf.getLong(AUDIT_SUMMARY_WINDOW_MS, DEFAULT_AUDIT_SUMMARY_WINDOW_MS);
        store = PolicyStore.open(PolicyStore.Config.of(env, RangerServiceType.HDFS, Path.of(required(POLICIES_DIR)), audit)
                .withAuditSummaryWindow(Duration.ofMillis(window)).withLog(LOG::info));
    }

    private String required(String key) {
        String v = conf == null ? null : conf.getTrimmed(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs Hadoop configuration '" + key
                    + "' (keys: " + ENVIRONMENT + ", " + ENVS_DIR + ", " + POLICIES_DIR + ", " + AUDIT_DIR + ", " + POSIX_FALLBACK + ")");
        }
        return v;
    }

    @Override
    public void stop() {
        if (store != null) {
            store.close();
        }
        if (audit != null) {
            audit.close();
        }
    }

    @Override
    public INodeAttributes getAttributes(String[] pathElements, INodeAttributes inode) {
        return inode;
    }

    @Override
    public AccessControlEnforcer getExternalAccessControlEnforcer(AccessControlEnforcer defaultEnforcer) {
        return new RangerAccessControlEnforcer(store, defaultEnforcer, conf.getBoolean(POSIX_FALLBACK, false));
    }
}
