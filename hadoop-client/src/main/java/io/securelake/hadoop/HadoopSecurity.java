package io.securelake.hadoop;

import io.securelake.envs.Environment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.PrivilegedExceptionAction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.security.Groups;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * Hadoop settings shared by the NameNode, DataNode and every client of an environment: Kerberos,
 * encrypted RPC and block transfer, and group membership taken from the environment definition (so
 * group-based policies match without asking the operating system).
 */
public final class HadoopSecurity {
    private HadoopSecurity() {
    }

    /**
     * @param nameNodeUri       {@code hdfs://host:port}
     * @param nameNodePrincipal the NameNode's qualified principal ({@code hdfs/_HOST@REALM} on real clusters)
     */
    public static Configuration clientConfiguration(Environment env, String nameNodeUri, String nameNodePrincipal) {
        Configuration conf = new org.apache.hadoop.hdfs.HdfsConfiguration();
        io.securelake.envs.HadoopClientSettings.kerberized(nameNodeUri, nameNodePrincipal).forEach(conf::set);
        conf.set("hadoop.security.group.mapping", "org.apache.hadoop.security.NullGroupsMapping");
        conf.set("hadoop.user.group.static.mapping.overrides", env.names().hadoopStaticGroupMapping());
        conf.set("hadoop.security.auth_to_local", "DEFAULT");
        conf.setBoolean("fs.hdfs.impl.disable.cache", true);
        return conf;
    }

    /** The settings that make up Hadoop security, for components that read their own core-site.xml. */
    public static java.util.Map<String, String> securityProperties(Configuration conf) {
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        for (String key : new String[] {"hadoop.security.authentication", "hadoop.security.authorization",
                "hadoop.rpc.protection", "hadoop.security.group.mapping", "hadoop.user.group.static.mapping.overrides",
                "hadoop.security.auth_to_local"}) {
            p.put(key, conf.get(key));
        }
        return p;
    }

    /** Fails closed if anything in this JVM switched Hadoop security off. */
    public static void requireKerberos(String after) {
        if (!UserGroupInformation.isSecurityEnabled()) {
            throw new IllegalStateException("Hadoop security is off after " + after
                    + ": refusing to run HDFS without Kerberos");
        }
    }

    /**
     * Makes this JVM's Hadoop security follow {@code conf}. Hadoop keeps the authentication method and
     * the group mapping JVM-wide; whichever class touched them first would otherwise win.
     */
    public static void useConfiguration(Configuration conf) {
        UserGroupInformation.setConfiguration(conf);
        Groups.getUserToGroupsMappingServiceWithLoadedConfiguration(conf);
    }

    /** Logs in from a keytab and returns the user, without touching the JVM's default login user. */
    public static UserGroupInformation login(Configuration conf, String principal, Path keytab) {
        UserGroupInformation.setConfiguration(conf);
        try {
            return UserGroupInformation.loginUserFromKeytabAndReturnUGI(principal, keytab.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Kerberos login as " + principal + " from " + keytab + " failed: "
                    + e.getMessage(), e);
        }
    }

    public static <T> T doAs(UserGroupInformation user, PrivilegedExceptionAction<T> action) throws IOException {
        try {
            return user.doAs(action);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
