package io.securelake.platform.kms;

import io.securelake.platform.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The local stack's Hadoop KMS.
 *
 * @param confDir       kms-site.xml, kms-acls.xml and the key store live here
 * @param httpPrincipal qualified {@code HTTP/<host>@REALM}: SPNEGO
 */
public record KmsSettings(String host, int port, Path confDir, String httpPrincipal, Path httpKeytab, TlsMaterial tls) {
    public KmsSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(confDir, "confDir");
        Objects.requireNonNull(httpPrincipal, "httpPrincipal");
        Objects.requireNonNull(httpKeytab, "httpKeytab");
        Objects.requireNonNull(tls, "tls");
    }

    /** The provider URI clients configure: the same form serves a Hadoop KMS or a Ranger KMS anywhere. */
    public String providerUri() {
        return "kms://https@" + host + ":" + port + "/kms";
    }
}
