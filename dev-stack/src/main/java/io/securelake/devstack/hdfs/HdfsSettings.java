package io.securelake.devstack.hdfs;

import io.securelake.devstack.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A single-NameNode, single-DataNode HDFS of the local stack.
 *
 * @param hdfsPrincipal qualified {@code hdfs/<host>@REALM}: NameNode and DataNode
 * @param httpPrincipal qualified {@code HTTP/<host>@REALM}: SPNEGO of WebHDFS
 * @param confDir       where generated ssl-server.xml / ssl-client.xml are written
 * @param authorizationProps the NameNode's authorization hook and its settings (Ranger on the local stack)
 */
public record HdfsSettings(String host, int nameNodePort, int nameNodeHttpsPort, Path dataDir, Path confDir,
                           String hdfsPrincipal, Path hdfsKeytab, String httpPrincipal, Path httpKeytab,
                           TlsMaterial tls, java.util.Map<String, String> authorizationProps) {
    public HdfsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(confDir, "confDir");
        Objects.requireNonNull(hdfsPrincipal, "hdfsPrincipal");
        Objects.requireNonNull(hdfsKeytab, "hdfsKeytab");
        Objects.requireNonNull(httpPrincipal, "httpPrincipal");
        Objects.requireNonNull(httpKeytab, "httpKeytab");
        Objects.requireNonNull(tls, "tls");
        authorizationProps = java.util.Map.copyOf(authorizationProps);
    }

    public String nameNodeUri() {
        return "hdfs://" + host + ":" + nameNodePort;
    }
}
