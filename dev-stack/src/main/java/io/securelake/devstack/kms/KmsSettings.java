package io.securelake.devstack.kms;

import io.securelake.devstack.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The local stack's Hadoop KMS.
 *
 * @param confDir       kms-site.xml, kms-acls.xml and the key store live here
 * @param httpPrincipal qualified {@code HTTP/<host>@REALM}: SPNEGO
 * @param security      the Hadoop security settings of the environment (core-site.xml of the KMS)
 */
public record KmsSettings(String host, int port, Path confDir, String httpPrincipal, Path httpKeytab, TlsMaterial tls,
                          java.util.Map<String, String> security) {
    public KmsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(confDir, "confDir");
        Objects.requireNonNull(httpPrincipal, "httpPrincipal");
        Objects.requireNonNull(httpKeytab, "httpKeytab");
        Objects.requireNonNull(tls, "tls");
        security = java.util.Map.copyOf(security);
        if (!"kerberos".equals(security.get("hadoop.security.authentication"))) {
            throw new IllegalArgumentException("the KMS must run with hadoop.security.authentication=kerberos");
        }
    }

    /** The provider URI clients configure: the same form serves a Hadoop KMS or a Ranger KMS anywhere. */
    public String providerUri() {
        return "kms://https@" + host + ":" + port + "/kms";
    }
}
