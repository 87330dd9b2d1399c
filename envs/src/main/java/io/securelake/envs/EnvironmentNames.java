package io.securelake.envs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place where names of the platform's resources are derived from an environment. No other
 * code builds a topic, path, database, service, key or principal name by hand.
 */
public final class EnvironmentNames {
    /** Kerberos service names of the infrastructure (the part before the slash of a host principal). */
    public static final String KAFKA_SERVICE = "kafka";
    public static final String HDFS_SERVICE = "hdfs";
    public static final String HTTP_SERVICE = "HTTP";
    /**
     * The address the local query server listens on and is dialled at, as written. Clients name the service
     * after the host they dial, so the query server's SPNEGO principal is {@code HTTP/127.0.0.1}: a principal
     * of its own, where the KMS and WebHDFS share {@code HTTP/localhost}. Its keytab can then mint nothing
     * those services accept.
     */
    public static final String LOCAL_QUERY_HOST = "127.0.0.1";
    /** Longest OS user name {@code useradd} accepts. */
    static final int MAX_OS_USER_LENGTH = 32;

    private final Environment env;

    EnvironmentNames(Environment env) {
        this.env = Objects.requireNonNull(env);
    }

    public String environment() {
        return env.name();
    }

    // --- Kafka ---------------------------------------------------------------------------------
    /** Topics of one environment all start with this prefix, e.g. {@code dev.}. */
    public String topicPrefix() {
        return env.name() + ".";
    }

    public String rawTopicPrefix() {
        return env.name() + ".raw.";
    }

    public String rawTopic(Dataset dataset) {
        return rawTopicPrefix() + dataset.name();
    }

    public String deadLetterTopic(Dataset dataset) {
        return env.name() + ".dlq." + dataset.name();
    }

    /** All topics the environment needs, raw then dead-letter per dataset. */
    public List<String> topics() {
        List<String> topics = new ArrayList<>();
        for (Dataset d : env.datasets()) {
            topics.add(rawTopic(d));
            topics.add(deadLetterTopic(d));
        }
        return List.copyOf(topics);
    }

    /**
     * The key registry's log of new data keys (wrapped by the KMS or sealed under a wrapping key; never clear):
     * writers add, readers read. {@code dev.keys.deks}.
     */
    public String keyRegistryTopic() {
        return env.name() + ".keys.deks";
    }

    /**
     * The key registry's log of changes to stored keys (re-wraps, shreds): only admins write it, so a writer can add
     * keys but never change or destroy one. {@code dev.keys.changes}.
     */
    public String keyChangesTopic() {
        return env.name() + ".keys.changes";
    }

    public String lakeWriterConsumerGroup() {
        return env.name() + ".lake-writer";
    }

    // --- HDFS ----------------------------------------------------------------------------------
    public String lakeRoot() {
        return "/lake/" + env.name();
    }

    public String rawZone() {
        return lakeRoot() + "/raw";
    }

    public String curatedZone() {
        return lakeRoot() + "/curated";
    }

    public String quarantineZone() {
        return lakeRoot() + "/quarantine";
    }

    public String rawPath(Dataset dataset) {
        return rawZone() + "/" + dataset.name();
    }

    public String curatedPath(Dataset dataset) {
        return curatedZone() + "/" + dataset.name();
    }

    public String quarantinePath(Dataset dataset) {
        return quarantineZone() + "/" + dataset.name();
    }

    public String auditPath() {
        return "/audit/" + env.name();
    }

    /** Per-user home directories, as Hadoop expects them. */
    public String userHome(String user) {
        return "/user/" + user;
    }

    // --- Hive, Ranger, Knox, keys --------------------------------------------------------------
    public String hiveDatabase(Dataset dataset) {
        return dataset.name() + "_" + env.name();
    }

    /**
     * The table of a dataset's database holding rows that broke a quality rule, with a copy of each row
     * ({@code record}, JSON) and its key ({@code record_key}): classified values in another form.
     */
    public String qualityQuarantineTable() {
        return QUALITY_QUARANTINE_TABLE;
    }

    /** The same in every environment (its database is the environment's): {@link #qualityQuarantineTable()}. */
    public static final String QUALITY_QUARANTINE_TABLE = "dq_quarantine";

    public String rangerService(RangerServiceType type) {
        return env.name() + "_" + type.serviceDefName();
    }

    public String knoxTopology() {
        return env.name();
    }

    /** Name of the key-encryption key protecting a dataset's fields, e.g. {@code dev.payments}. */
    public String keyEncryptionKey(Dataset dataset) {
        return env.name() + "." + dataset.name();
    }

    // --- Principals ----------------------------------------------------------------------------
    /** Default principal of a platform service, e.g. {@code svc-lakewriter-dev}. */
    public String defaultServicePrincipal(ServiceRole role) {
        return "svc-" + role.principalStem() + "-" + env.name();
    }

    public String servicePrincipal(ServiceRole role) {
        return env.service(role).principal();
    }

    public String personPrincipal(Person person) {
        return person.name();
    }

    /** A host-based service principal, e.g. {@code kafka/localhost}. */
    public static String hostPrincipal(String service, String host) {
        return service + "/" + host;
    }

    /** The local query server's own SPNEGO principal, {@code HTTP/127.0.0.1} ({@link #LOCAL_QUERY_HOST}). */
    public static String localQuerySpnegoPrincipal() {
        return hostPrincipal(HTTP_SERVICE, LOCAL_QUERY_HOST);
    }

    /**
     * The unprivileged OS user a service of the local stack runs as when {@code up} may arrange it, e.g.
     * {@code securelake-query-dev}: one per service and environment, so dev's query server cannot read
     * prod's state either. Empty when the name would exceed what {@code useradd} accepts (32 characters).
     */
    public java.util.Optional<String> osUser(ServiceRole role) {
        String name = "securelake-" + role.principalStem() + "-" + env.name();
        return name.length() <= MAX_OS_USER_LENGTH ? java.util.Optional.of(name) : java.util.Optional.empty();
    }

    /** {@code principal@REALM} of this environment; an already qualified principal as it is ({@link Principals#qualify}). */
    public String qualified(String principal) {
        return Principals.qualify(principal, env.realm());
    }

    /** The short (local) name Kafka and Hadoop map a principal to: the first component ({@link Principals#shortName}). */
    public static String shortName(String principal) {
        return Principals.shortName(principal);
    }

    /**
     * Hadoop's {@code hadoop.user.group.static.mapping.overrides} ({@code user=group,group;…}): people get
     * their directory groups; each service principal is its own group (like a Unix user-private group),
     * so directory groups can grant one service access. Every JVM of the environment (core, Spark) uses it.
     */
    public String hadoopStaticGroupMapping() {
        java.util.List<String> entries = new java.util.ArrayList<>();
        for (Person p : env.people()) {
            entries.add(personPrincipal(p) + "=" + String.join(",", p.groups()));
        }
        for (ServiceIdentity s : env.services()) {
            String user = shortName(s.principal());
            entries.add(user + "=" + user);
        }
        return String.join(";", entries);
    }
}
