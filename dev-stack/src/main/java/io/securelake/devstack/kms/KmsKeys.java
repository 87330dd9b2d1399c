package io.securelake.devstack.kms;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.NoSuchAlgorithmException;
import org.apache.hadoop.crypto.key.KeyProvider;

/** The environment's key-encryption keys in its KMS: one per dataset, created when missing. */
public final class KmsKeys {
    static final int KEK_BITS = 256;

    private final KeyProvider provider;

    public KmsKeys(KeyProvider provider) {
        this.provider = provider;
    }

    public void ensureDatasetKeys(Environment env) {
        for (Dataset d : env.datasets()) {
            String name = env.names().keyEncryptionKey(d);
            try {
                if (provider.getMetadata(name) == null) {
                    KeyProvider.Options options = new KeyProvider.Options(provider.getConf());
                    options.setBitLength(KEK_BITS);
                    options.setDescription("key-encryption key of " + d.name() + " in " + env.name());
                    provider.createKey(name, options);
                    provider.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create key " + name + " in the KMS: " + e.getMessage(), e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
