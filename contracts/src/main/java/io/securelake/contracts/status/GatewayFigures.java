package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Fields;

/**
 * The Knox gateway's figures. Its status file is owner-only: it carries the clients' truststore password. Build with
 * {@link #builder()}.
 *
 * @param topology           the topology (= environment name)
 * @param url                {@code https://localhost:PORT/gateway/<topology>}
 * @param hiveJdbcUrl        a JDBC URL for beeline / hive-jdbc through the gateway (HTTP transport, TLS)
 * @param webhdfsUrl         {@code https://localhost:PORT/gateway/<topology>/webhdfs/v1}
 * @param ldapUrl            the environment's directory ({@code ldap://127.0.0.1:PORT})
 * @param truststore         PKCS12 truststore holding the gateway's certificate, for clients
 * @param truststorePassword its password (the certificate is public; the password guards integrity)
 * @param backendKerberos    whether Knox calls the backends with its Kerberos identity
 */
public record GatewayFigures(
        @JsonProperty("topology") String topology,
        @JsonProperty("url") String url,
        @JsonProperty("hive_jdbc_url") String hiveJdbcUrl,
        @JsonProperty("webhdfs_url") String webhdfsUrl,
        @JsonProperty("ldap_url") String ldapUrl,
        @JsonProperty("truststore") String truststore,
        @JsonProperty("truststore_password") String truststorePassword,
        @JsonProperty("port") int port,
        @JsonProperty("ldap_port") int ldapPort,
        @JsonProperty("backend_kerberos") boolean backendKerberos) implements ServiceFigures {

    public GatewayFigures {
        Fields.nonBlank(topology, "topology");
        Fields.nonBlank(url, "url");
        Fields.nonBlank(hiveJdbcUrl, "hive_jdbc_url");
        Fields.nonBlank(webhdfsUrl, "webhdfs_url");
        Fields.nonBlank(ldapUrl, "ldap_url");
        Fields.nonBlank(truststore, "truststore");
        Fields.nonBlank(truststorePassword, "truststore_password");
        Fields.port(port, "port");
        Fields.port(ldapPort, "ldap_port");
    }

    @JsonIgnore
    @Override
    public ServiceKind service() {
        return ServiceKind.GATEWAY;
    }

    @Override
    public String toString() {
        // never the truststore password (logged at start)
        return "GatewayFigures[url=" + url + ", webhdfs_url=" + webhdfsUrl + ", ldap_url=" + ldapUrl + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String topology;
        private String url;
        private String hiveJdbcUrl;
        private String webhdfsUrl;
        private String ldapUrl;
        private String truststore;
        private String truststorePassword;
        private int port;
        private int ldapPort;
        private boolean backendKerberos = true;

        private Builder() {
        }

        public Builder topology(String v) {
            topology = v;
            return this;
        }

        public Builder url(String v) {
            url = v;
            return this;
        }

        public Builder hiveJdbcUrl(String v) {
            hiveJdbcUrl = v;
            return this;
        }

        public Builder webhdfsUrl(String v) {
            webhdfsUrl = v;
            return this;
        }

        public Builder ldapUrl(String v) {
            ldapUrl = v;
            return this;
        }

        /** Both together: the password belongs to the truststore. */
        public Builder truststore(String path, String password) {
            truststore = path;
            truststorePassword = password;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder ldapPort(int v) {
            ldapPort = v;
            return this;
        }

        public Builder backendKerberos(boolean v) {
            backendKerberos = v;
            return this;
        }

        public GatewayFigures build() {
            return new GatewayFigures(topology, url, hiveJdbcUrl, webhdfsUrl, ldapUrl, truststore, truststorePassword,
                    port, ldapPort, backendKerberos);
        }
    }
}
