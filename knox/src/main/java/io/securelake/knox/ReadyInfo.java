package io.securelake.knox;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code <state_dir>/ready.json}: written atomically (mode 600: it carries the clients' truststore password)
 * once the gateway answers on its topology, removed when it stops.
 *
 * @param pid                the gateway JVM's process id
 * @param environment        environment name
 * @param topology           the topology (= environment name)
 * @param url                {@code https://localhost:PORT/gateway/<topology>}
 * @param hiveJdbcUrl        a JDBC URL for beeline / hive-jdbc through the gateway (HTTP transport, TLS)
 * @param webhdfsUrl         {@code https://localhost:PORT/gateway/<topology>/webhdfs/v1}
 * @param ldapUrl            the environment's directory ({@code ldap://127.0.0.1:PORT})
 * @param truststore         PKCS12 truststore holding the gateway's certificate, for clients
 * @param truststorePassword its password (the certificate is public; the password guards integrity)
 * @param port               the gateway's HTTPS port
 * @param ldapPort           the directory's port
 * @param backendKerberos    whether Knox calls the backends with its Kerberos identity
 * @param startedAt          ISO-8601 instant
 */
@JsonPropertyOrder({"pid", "environment", "topology", "url", "hive_jdbc_url", "webhdfs_url", "ldap_url", "truststore",
        "truststore_password", "port", "ldap_port", "backend_kerberos", "started_at"})
public record ReadyInfo(
        @JsonProperty("pid") long pid,
        @JsonProperty("environment") String environment,
        @JsonProperty("topology") String topology,
        @JsonProperty("url") String url,
        @JsonProperty("hive_jdbc_url") String hiveJdbcUrl,
        @JsonProperty("webhdfs_url") String webhdfsUrl,
        @JsonProperty("ldap_url") String ldapUrl,
        @JsonProperty("truststore") String truststore,
        @JsonProperty("truststore_password") String truststorePassword,
        @JsonProperty("port") int port,
        @JsonProperty("ldap_port") int ldapPort,
        @JsonProperty("backend_kerberos") boolean backendKerberos,
        @JsonProperty("started_at") String startedAt) {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static ReadyInfo read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ReadyInfo.class);
    }

    void writeAtomically(Path file) throws IOException {
        Secrets.writeAtomically(file, JSON.writeValueAsBytes(this));
    }

    @Override
    public String toString() {
        return "ReadyInfo[pid=" + pid + ", url=" + url + ", webhdfs_url=" + webhdfsUrl + ", ldap_url=" + ldapUrl + "]";
    }
}
