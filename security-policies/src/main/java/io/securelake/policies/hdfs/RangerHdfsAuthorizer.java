package io.securelake.policies.hdfs;

import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.contracts.plugins.PluginSettings;
import io.securelake.contracts.plugins.PolicyPluginSettings;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.engine.PolicyStore;
import java.time.Duration;
import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributeProvider;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    // The keys are PluginSettings' (one definition, shared with the launcher that writes them).
    public static final String ENVIRONMENT = PluginSettings.ENVIRONMENT.name();
    public static final String ENVS_DIR = PluginSettings.ENVS_DIR.name();
    public static final String POLICIES_DIR = PluginSettings.POLICIES_DIR.name();
    public static final String AUDIT_DIR = PluginSettings.AUDIT_DIR.name();
    public static final String POSIX_FALLBACK = PluginSettings.HDFS_POSIX_FALLBACK.name();
    /** {@link PluginSettings#AUDIT_SUMMARY_WINDOW}: identical decisions within it are audited as one summary record. */
    public static final String AUDIT_SUMMARY_WINDOW_MS = PluginSettings.AUDIT_SUMMARY_WINDOW.name();
    public static final long DEFAULT_AUDIT_SUMMARY_WINDOW_MS = PluginSettings.AUDIT_SUMMARY_WINDOW.defaultValue().orElseThrow().toMillis();

    private static final Logger LOG = LoggerFactory.getLogger(RangerHdfsAuthorizer.class);

    private Configuration conf;
    private PolicyStore store;
    private AuditSink audit;
    private PolicyPluginSettings settings;

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
        settings = PolicyPluginSettings.from(key -> conf == null ? null : conf.getTrimmed(key),
                getClass().getSimpleName() + "'s Hadoop configuration");
        Environment env = EnvironmentCatalog.of(settings.envsDir()).load(settings.environment());
        audit = new BatchingAuditSink(new JsonLinesAuditSink(settings.auditDir()), 65_536,
                Duration.ofMillis(200), Duration.ofSeconds(30));
        store = PolicyStore.open(PolicyStore.Config.of(env, RangerServiceType.HDFS, settings.policiesDir(), audit)
                .withAuditSummaryWindow(settings.auditSummaryWindow()).withLog(LOG::info));
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
        return new RangerAccessControlEnforcer(store, defaultEnforcer, settings.posixFallback());
    }
}
