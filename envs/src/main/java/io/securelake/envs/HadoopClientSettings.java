package io.securelake.envs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Hadoop client settings every JVM of an environment needs to talk to its Kerberized HDFS: Kerberos,
 * service-level authorization, and confidentiality on the wire (RPC and block transfer), as the NameNode
 * requires. Plain strings, so that JVMs on different Hadoop class paths (the core's 3.4, Spark's shaded
 * 3.3) share one definition; each adds its own extras (group mapping, umask, caching).
 */
public final class HadoopClientSettings {
    /** The least time between two Kerberos logins of a Hadoop JVM ({@code hadoop.kerberos.min.seconds.before.relogin}). */
    public static final java.time.Duration RELOGIN_FLOOR = java.time.Duration.ofSeconds(5);

    private HadoopClientSettings() {
    }

    /**
     * @param nameNode          {@code hdfs://host:port}
     * @param nameNodePrincipal the NameNode's qualified principal ({@code hdfs/_HOST@REALM} on real clusters)
     */
    public static Map<String, String> kerberized(String nameNode, String nameNodePrincipal) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fs.defaultFS", nameNode);
        s.put("hadoop.security.authentication", "kerberos");
        s.put("hadoop.security.authorization", "true");
        s.put("hadoop.rpc.protection", "privacy");
        s.put("dfs.data.transfer.protection", "privacy");
        // Once SASL has authenticated a block transfer, the data itself is encrypted with AES-256-CTR (JCE,
        // AES-NI) rather than by SASL's DIGEST-MD5 wrapping (3DES/RC4, a few MB/s per core): Hadoop's
        // HDFS-6606. Both ends must name the suite; every JVM of the environment takes it from here.
        s.put("dfs.encrypt.data.transfer.cipher.suites", "AES/CTR/NoPadding");
        s.put("dfs.encrypt.data.transfer.cipher.key.bitlength", "256");
        // A re-login is a logout then a login: one tried while the KDC is away leaves the JVM with no ticket at all,
        // and Hadoop declines the next attempt for this many seconds (60 by default), so a service stays locked out of
        // HDFS for up to a minute after the KDC is back. A few seconds is plenty to spare the KDC.
        s.put("hadoop.kerberos.min.seconds.before.relogin", Long.toString(RELOGIN_FLOOR.toSeconds()));
        s.put("dfs.namenode.kerberos.principal", nameNodePrincipal);
        s.put("dfs.datanode.kerberos.principal", nameNodePrincipal);
        return s;
    }
}
