package io.securelake.envs;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The services an environment talks to. An empty value means "embedded": the local stack starts that
 * service itself; a value points the same code at a real cluster.
 *
 * @param kafkaBootstrap  {@code host:port[,host:port…]} of a real Kafka cluster (SASL/GSSAPI listeners)
 * @param hdfsNameNode    {@code hdfs://host:port} of a real (Kerberized) NameNode
 * @param webHdfs         {@code https://host:port} of its WebHDFS (SPNEGO)
 * @param caPem           PEM file of the CA that signed the real clusters' TLS certificates
 */
public record Endpoints(Optional<String> kafkaBootstrap, Optional<URI> hdfsNameNode, Optional<URI> webHdfs,
                        Optional<Path> caPem) {
    public Endpoints {
        Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        Objects.requireNonNull(hdfsNameNode, "hdfsNameNode");
        Objects.requireNonNull(webHdfs, "webHdfs");
        Objects.requireNonNull(caPem, "caPem");
    }

    public static Endpoints embedded() {
        return new Endpoints(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public boolean kafkaEmbedded() {
        return kafkaBootstrap.isEmpty();
    }

    public boolean hdfsEmbedded() {
        return hdfsNameNode.isEmpty();
    }
}
