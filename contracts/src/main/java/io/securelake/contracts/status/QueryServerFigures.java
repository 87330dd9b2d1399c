package io.securelake.contracts.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.securelake.contracts.Fields;

/**
 * The query server's figures.
 *
 * @param port    the HiveServer2 HTTP port (on 127.0.0.1)
 * @param jdbcUrl the direct JDBC URL, with the truststore password left out ({@code hive.direct_jdbc_url})
 */
public record QueryServerFigures(
        @JsonProperty("port") int port,
        @JsonProperty("jdbc_url") String jdbcUrl) implements ServiceFigures {

    public QueryServerFigures {
        Fields.port(port, "port");
        Fields.nonBlank(jdbcUrl, "jdbc_url");
    }

    @JsonIgnore
    @Override
    public ServiceKind service() {
        return ServiceKind.QUERY_SERVER;
    }
}
