package io.securelake.operations.connect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.KeyProvider;
import org.apache.hadoop.crypto.key.KeyProviderCryptoExtension;
import org.apache.hadoop.crypto.key.KeyProviderFactory;

/** Clients of a KMS (Hadoop or Ranger): a key provider from its {@code kms://…} URI. */
public final class KmsClients {
    private KmsClients() {
    }

    /**
     * Adds what a KMS client over HTTPS needs to {@code conf}: the truststore (Hadoop reads it from the
     * configuration when no ssl-client.xml is on the class path).
     */
    public static Configuration clientConfiguration(Configuration base, Path truststore, String truststorePassword) {
        Configuration conf = new Configuration(base);
        conf.set("hadoop.ssl.client.conf", "securelake-no-ssl-client.xml");
        conf.set("ssl.client.truststore.location", truststore.toString());
        conf.set("ssl.client.truststore.password", truststorePassword);
        conf.set("ssl.client.truststore.type", "pkcs12");
        return conf;
    }

    /** Call inside the caller's Kerberos identity (UGI doAs): the KMS authenticates with SPNEGO. */
    public static KeyProviderCryptoExtension provider(Configuration conf, String providerUri) {
        try {
            KeyProvider provider = KeyProviderFactory.get(URI.create(providerUri), conf);
            if (provider == null) {
                throw new IllegalArgumentException("no key provider for " + providerUri);
            }
            return KeyProviderCryptoExtension.createKeyProviderCryptoExtension(provider);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the key provider " + providerUri + ": " + e.getMessage(), e);
        }
    }
}
