package io.securelake.warehouse.spark;

import io.securelake.envs.Environment;
import io.securelake.envs.HadoopClientSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * Hadoop security of a Spark JVM (query server, ETL job): the same Kerberos, wire privacy and group
 * mapping as every other JVM of the environment, so HDFS sees the same users and groups, and the
 * JVM's login user is the service's own principal (never a person, never the HDFS superuser).
 */
public final class SparkHadoop {
    private SparkHadoop() {
    }

    /**
     * @param nameNode          {@code hdfs://host:port}
     * @param nameNodePrincipal the NameNode's qualified principal
     */
    public static Map<String, String> clientSettings(Environment env, String nameNode, String nameNodePrincipal) {
        Map<String, String> s = new LinkedHashMap<>(HadoopClientSettings.kerberized(nameNode, nameNodePrincipal));
        s.put("hadoop.security.group.mapping", "org.apache.hadoop.security.NullGroupsMapping");
        s.put("hadoop.user.group.static.mapping.overrides", env.names().hadoopStaticGroupMapping());
        s.put("hadoop.security.auth_to_local", "DEFAULT");
        return s;
    }

    public static Configuration configuration(Map<String, String> settings) {
        Configuration conf = new Configuration(false);
        settings.forEach(conf::set);
        return conf;
    }

    /** Makes {@code principal} this JVM's login user (Spark's executors in local mode act as it too). */
    public static UserGroupInformation login(Map<String, String> settings, String principal, Path keytab) {
        // SparkHadoopUtil resets UGI's configuration to Hadoop's defaults (simple authentication) when it is
        // first used, e.g. by the SparkContext: initialise it first, so that Kerberos set here stays on.
        SparkHadoopUtil.get();
        Configuration conf = configuration(settings);
        UserGroupInformation.setConfiguration(conf);
        try {
            UserGroupInformation.loginUserFromKeytab(principal, keytab.toString());
            UserGroupInformation ugi = UserGroupInformation.getLoginUser();
            if (!UserGroupInformation.isSecurityEnabled() || !ugi.hasKerberosCredentials()) {
                throw new IllegalStateException("Kerberos login as " + principal + " did not take effect");
            }
            return ugi;
        } catch (IOException e) {
            throw new UncheckedIOException("Kerberos login as " + principal + " from " + keytab + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** {@code spark.hadoop.*} entries for a Spark session built on these settings. */
    public static Map<String, String> sparkConf(Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>();
        settings.forEach((k, v) -> out.put("spark.hadoop." + k, v));
        return out;
    }
}
