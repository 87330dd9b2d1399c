package io.securelake.warehouse.query;

import java.nio.file.Path;

/**
 * How Kerberos clients reach a query server directly (ETL registering tables, readiness probes,
 * benchmarks): HiveServer2 protocol over HTTPS with SPNEGO. People go through Knox instead.
 *
 * @param spnegoPrincipal the server's HTTP principal, e.g. {@code HTTP/127.0.0.1@REALM} for the local query server
 */
public record HiveEndpoint(String host, int port, String spnegoPrincipal, Path truststore, String truststorePassword) {

    /** The JDBC URL for a Kerberos-authenticated client (the caller's UGI login is used). */
    public String jdbcUrl(String database) {
        return "jdbc:hive2://" + host + ":" + port + "/" + database + ";transportMode=http;httpPath="
                + QueryServerConfig.HTTP_PATH + ";ssl=true;sslTrustStore=" + truststore + ";trustStorePassword="
                + truststorePassword + ";principal=" + spnegoPrincipal;
    }

    /** The same URL with the truststore password left out, for logs and status output. */
    public String displayUrl(String database) {
        return scrub(jdbcUrl(database));
    }

    /** Removes the truststore password from a text (JDBC drivers repeat the URL in their error messages). */
    public String scrub(String text) {
        return text == null ? null : text.replace(truststorePassword, "…");
    }
}
