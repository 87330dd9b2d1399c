package io.securelake.warehouse.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one environment's query server, written by the platform into the server's state
 * directory (mode 600: it names keystore passwords) and read by {@link QueryServerMain}.
 *
 * @param endpoints     the stack's endpoints.json (Kerberos, keytabs, NameNode, CA)
 * @param port          HTTP port of the HiveServer2 endpoint (bound to 127.0.0.1, {@code EnvironmentNames.LOCAL_QUERY_HOST})
 * @param keystore      PKCS12 server keystore for TLS on the endpoint
 * @param gatewayUser   short name of the Knox gateway's principal: the only user allowed to act for others
 */
public record QueryServerConfig(
        @JsonProperty("environment") String environment,
        @JsonProperty("envs_dir") Path envsDir,
        @JsonProperty("policies_dir") Path policiesDir,
        @JsonProperty("state_dir") Path stateDir,
        @JsonProperty("audit_dir") Path auditDir,
        @JsonProperty("endpoints") Path endpoints,
        @JsonProperty("port") int port,
        @JsonProperty("keystore") Path keystore,
        @JsonProperty("keystore_password") String keystorePassword,
        @JsonProperty("gateway_user") String gatewayUser) {

    public QueryServerConfig {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(envsDir, "envs_dir");
        Objects.requireNonNull(policiesDir, "policies_dir");
        Objects.requireNonNull(stateDir, "state_dir");
        Objects.requireNonNull(auditDir, "audit_dir");
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystore_password");
        Objects.requireNonNull(gatewayUser, "gateway_user");
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    public static QueryServerConfig read(Path file) {
        try {
            return new ObjectMapper().readValue(file.toFile(), QueryServerConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read query server settings " + file + ": " + e.getMessage(), e);
        }
    }

    public Path statusFile() {
        return stateDir.resolve(io.securelake.contracts.status.ServiceKind.QUERY_SERVER.statusFileName());
    }

    /** The endpoint's URL path: clients (Knox, beeline) use {@code httpPath=cliservice}. */
    public static final String HTTP_PATH = "cliservice";
}
