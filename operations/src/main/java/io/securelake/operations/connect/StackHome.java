package io.securelake.operations.connect;

import io.securelake.envs.Principals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The layout of one environment's local stack directory ({@code .securelake/<env>/}): everything a
 * client needs (krb5.conf, keytabs, truststore, endpoints) and the services' persistent data.
 */
public record StackHome(Path root) {
    public StackHome {
        root = root.toAbsolutePath().normalize();
    }

    /** {@code $SECURELAKE_HOME/<env>}, or {@code <base>/.securelake/<env>} when the variable is unset. */
    public static StackHome of(Path base, String environment) {
        String override = System.getenv("SECURELAKE_HOME");
        Path parent = override != null && !override.isBlank() ? Path.of(override) : base.resolve(".securelake");
        return new StackHome(parent.resolve(environment));
    }

    public Path krb5Conf() {
        return root.resolve("krb5.conf");
    }

    public Path keytabDir() {
        return root.resolve("keytabs");
    }

    /** One keytab per principal: {@code kafka/localhost} → {@code keytabs/kafka_localhost.keytab}. */
    public Path keytab(String principal) {
        return keytabDir().resolve(Principals.withoutRealm(principal).replace('/', '_') + ".keytab");
    }

    public Path tlsDir() {
        return root.resolve("tls");
    }

    public Path kdcDir() {
        return root.resolve("kdc");
    }

    public Path kafkaDir() {
        return root.resolve("kafka");
    }

    /** KMS configuration, ACLs and its password-protected store of key-encryption keys. */
    public Path kmsDir() {
        return root.resolve("kms");
    }

    public Path hdfsDir() {
        return root.resolve("hdfs");
    }

    /** Generated Hadoop client/server configuration (ssl-*.xml, core-site.xml for CLI users). */
    public Path hadoopConfDir() {
        return root.resolve("hadoop-conf");
    }

    /** The local audit trail: one hash-chained JSON-lines directory per stage (kafka, hdfs, keys, …). */
    public Path auditDir() {
        return root.resolve("audit");
    }

    public Path logsDir() {
        return root.resolve("logs");
    }

    public Path endpointsFile() {
        return root.resolve(io.securelake.contracts.CoreEndpoints.FILE_NAME);
    }

    /** Where the core's components keep their process records and readiness marks. */
    public Path runDir() {
        return root.resolve("run");
    }

    /** The PID and start time of one of the core's components ({@code kdc}, {@code namenode}, …). */
    public Path componentProcessFile(String component) {
        return runDir().resolve(component + ".process");
    }

    /** Written by a core component once it serves: its PID and start time. */
    public Path componentReadyFile(String component) {
        return runDir().resolve(component + ".ready");
    }

    /** The supervisor of the stack's processes: its PID and start time. */
    public Path supervisorProcessFile() {
        return root.resolve("supervisor.process");
    }

    /** What the supervisor reports of the processes it keeps running. */
    public Path supervisionFile() {
        return root.resolve(io.securelake.contracts.supervision.SupervisionStatus.FILE_NAME);
    }

    /** Created to ask the supervisor to start failed processes again (it removes it). */
    public Path supervisorRetryFile() {
        return root.resolve("supervisor.retry");
    }

    public Path portsFile() {
        return root.resolve("ports.properties");
    }

    /** Creates the directory tree; only the owner may read it (keytabs and keys live here). */
    public StackHome create() {
        try {
            for (Path p : new Path[] {root, keytabDir(), tlsDir(), kdcDir(), kafkaDir(), hdfsDir(), kmsDir(), hadoopConfDir(), auditDir(), logsDir(), runDir()}) {
                Files.createDirectories(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the stack directory " + root, e);
        }
    }
}
