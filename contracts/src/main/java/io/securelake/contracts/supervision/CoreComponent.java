package io.securelake.contracts.supervision;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The components of a local stack's core, each a process of its own under the supervisor, in start order: one can be
 * killed, and is restarted, alone. Their names are the children's names in {@link SupervisionStatus}.
 */
public enum CoreComponent {
    KDC("kdc", "KDC"),
    KAFKA("kafka", "Kafka broker"),
    NAMENODE("namenode", "HDFS NameNode"),
    DATANODE("datanode", "HDFS DataNode"),
    KMS("kms", "KMS"),
    /**
     * The core's own client: applies the environment's namespace (topics, ACLs, HDFS directories, keys) once the
     * servers run, then ships the local audit trail to HDFS.
     */
    AGENT("core-agent", "core agent (namespace and audit shipping)");

    private final String wire;
    private final String description;

    CoreComponent(String wire, String description) {
        this.wire = wire;
        this.description = description;
    }

    /** The child's name in the supervision status and the component's name on the command line. */
    public String wire() {
        return wire;
    }

    /** What it is, in words: "HDFS NameNode". */
    public String description() {
        return description;
    }

    public static Optional<CoreComponent> of(String wire) {
        return Arrays.stream(values()).filter(c -> c.wire.equals(wire)).findFirst();
    }

    /** Every component's name, in start order. */
    public static List<String> names() {
        return Arrays.stream(values()).map(CoreComponent::wire).toList();
    }
}
