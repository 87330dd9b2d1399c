package io.securelake.platform.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * What a client needs to reach a running core stack; written to {@code endpoints.json} by the core
 * process once it is ready, and the static part of {@code securelake status --json}.
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
        @JsonProperty("pid") long pid) {
}
