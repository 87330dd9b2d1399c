package io.securelake.operations.connect;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What a client needs to reach an environment's services: written to {@code endpoints.json} by the
 * local core process once it is ready, or derived from the environment definition for real clusters
 * ({@link ClusterEndpoints}). The static part of {@code securelake status --json}.
 *
 * @param pid the local core process, or -1 for real clusters
 */
public record CoreEndpoints(
        @JsonProperty("environment") String environment,
        @JsonProperty("realm") String realm,
        @JsonProperty("krb5_conf") String krb5Conf,
        @JsonProperty("keytabs") Map<String, String> keytabs,
        @JsonProperty("truststore") String truststore,
        @JsonProperty("truststore_password") String truststorePassword,
        @JsonProperty("ca_pem") String caPem,
        @JsonProperty("kdc") String kdc,
        @JsonProperty("kafka_bootstrap") String kafkaBootstrap,
        @JsonProperty("hdfs_namenode") String hdfsNameNode,
        @JsonProperty("hdfs_webhdfs") String webHdfs,
        @JsonProperty("hdfs_principal") String hdfsPrincipal,
        @JsonProperty("kms_uri") String kmsUri,
        @JsonProperty("pid") long pid) {
}
