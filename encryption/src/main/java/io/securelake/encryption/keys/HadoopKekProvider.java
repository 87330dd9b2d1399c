package io.securelake.encryption.keys;

import io.securelake.encryption.FieldEncryptionException;
import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KekNotFoundException;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KeyAccessDeniedException;
import io.securelake.encryption.KeyProviderException;
import io.securelake.encryption.KeyServiceUnavailableException;
import io.securelake.encryption.WrappedDek;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.CachingKeyProvider;
import org.apache.hadoop.crypto.key.KeyProvider;
import org.apache.hadoop.crypto.key.KeyProviderCryptoExtension;
import org.apache.hadoop.crypto.key.KeyProviderCryptoExtension.EncryptedKeyVersion;
import org.apache.hadoop.crypto.key.KeyProviderFactory;
import org.apache.hadoop.security.AccessControlException;

/**
 * {@link KekProvider} over Hadoop's KeyProvider API with its crypto extension ("encrypted keys"), so the
 * provider URI alone picks the backend: {@code jceks://file/path.jceks} (Hadoop's JavaKeyStoreProvider),
 * {@code kms://https@host:9600/kms} (Hadoop KMS or Ranger KMS; the KMS client also pre-fetches and caches
 * generated DEKs). This is the only class of the module that uses Hadoop.
 */
public final class HadoopKekProvider implements KekProvider {

    /** KEKs are AES-256: the DEKs Hadoop generates have the KEK's length, and we need 256-bit DEKs. */
    public static final int KEK_BITS = 256;
    /** How long a local keystore's KEK versions stay in memory; rolls through this provider apply at once. */
    static final long LOCAL_KEK_CACHE_MILLIS = 10 * 60 * 1000L;

    private final KeyProvider provider;
    private final KeyProviderCryptoExtension crypto;
    private final String description;

    private HadoopKekProvider(KeyProvider provider, String description) {
        this.provider = provider;
        this.crypto = KeyProviderCryptoExtension.createKeyProviderCryptoExtension(provider);
        this.description = description;
    }

    /**
     * @param providerUri   e.g. {@code jceks://file/var/lib/securelake/keks.jceks} or {@code kms://https@kms:9600/kms}
     * @param hadoopConfig  extra Hadoop properties (e.g. the keystore password file, KMS client settings)
     */
    public static HadoopKekProvider open(URI providerUri, Map<String, String> hadoopConfig) {
        Configuration conf = new Configuration();
        hadoopConfig.forEach(conf::set);
        KeyProvider provider;
        try {
            provider = KeyProviderFactory.get(providerUri, conf);
        } catch (AccessControlException | java.nio.file.AccessDeniedException e) {
            throw new KeyAccessDeniedException(providerUri.toString(), "access to key provider " + providerUri
                    + " denied: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new KeyProviderException("cannot open key provider " + providerUri + ": " + e.getMessage(), e);
        }
        if (provider == null) {
            throw new KeyProviderException("no Hadoop KeyProvider for URI scheme of " + providerUri
                    + " (supported: jceks, kms, and others on the class path)", null);
        }
        if (!provider.isTransient() && !"kms".equals(providerUri.getScheme())) {
            // A local keystore decrypts the KEK from the file's password-based protection on every use
            // (JCEKS: 200,000 PBE iterations, ~50 ms): keep KEK versions in memory, as the KMS server does
            // for its own keystore. A KMS never hands out KEK material, so its client is left alone.
            provider = new CachingKeyProvider(provider, LOCAL_KEK_CACHE_MILLIS, LOCAL_KEK_CACHE_MILLIS);
        }
        return new HadoopKekProvider(provider, providerUri.toString());
    }

    /** Wraps an existing provider, e.g. one decorated with an access policy. */
    public static HadoopKekProvider wrap(KeyProvider provider) {
        return wrap(provider, provider.toString());
    }

    /** As {@link #wrap(KeyProvider)}, named in messages by {@code description} (e.g. the KMS URI). */
    public static HadoopKekProvider wrap(KeyProvider provider, String description) {
        return new HadoopKekProvider(Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(description, "description"));
    }

    @Override
    public GeneratedDek generateDek(String kekName) {
        try {
            EncryptedKeyVersion encrypted = crypto.generateEncryptedKey(kekName);
            KeyProvider.KeyVersion clear = crypto.decryptEncryptedKey(encrypted);
            return new GeneratedDek(clear.getMaterial(), toWrapped(encrypted));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw translate(e, kekName, kekName, "generate a DEK under");
        }
    }

    @Override
    public byte[] unwrapDek(WrappedDek wrapped) {
        try {
            return crypto.decryptEncryptedKey(toHadoop(wrapped)).getMaterial();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw translate(e, wrapped.kekName(), wrapped.kekVersionName(), "unwrap a DEK with");
        }
    }

    @Override
    public WrappedDek rewrapDek(WrappedDek wrapped) {
        try {
            return toWrapped(crypto.reencryptEncryptedKey(toHadoop(wrapped)));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw translate(e, wrapped.kekName(), wrapped.kekVersionName(), "re-wrap a DEK with");
        }
    }

    @Override
    public String currentVersionName(String kekName) {
        try {
            KeyProvider.KeyVersion current = provider.getCurrentKey(kekName);
            if (current == null) {
                throw new KekNotFoundException(kekName, "KEK '" + kekName + "' does not exist in " + description);
            }
            return current.getVersionName();
        } catch (IOException | RuntimeException e) {
            throw translate(e, kekName, kekName, "read the current version of");
        }
    }

    @Override
    public List<String> listKekNames() {
        try {
            return List.copyOf(provider.getKeys());
        } catch (IOException e) {
            throw translate(e, "*", "*", "list");
        }
    }

    @Override
    public String createKek(String kekName) {
        try {
            KeyProvider.Options options = KeyProvider.options(provider.getConf())
                    .setBitLength(KEK_BITS)
                    .setDescription("securelake KEK for dataset " + kekName);
            KeyProvider.KeyVersion version = provider.createKey(kekName, options);
            provider.flush();
            return version.getVersionName();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw translate(e, kekName, kekName, "create");
        }
    }

    @Override
    public String rollKek(String kekName) {
        try {
            KeyProvider.KeyVersion version = provider.rollNewVersion(kekName);
            provider.flush();
            // A KMS client keeps pre-generated DEKs of the old version; new writes must not get those.
            crypto.drain(kekName);
            return version.getVersionName();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw translate(e, kekName, kekName, "roll");
        }
    }

    @Override
    public void close() {
        try {
            crypto.close();
        } catch (IOException e) {
            throw new KeyProviderException("closing key provider " + description + " failed", e);
        }
    }

    private static WrappedDek toWrapped(EncryptedKeyVersion encrypted) {
        return new WrappedDek(encrypted.getEncryptionKeyName(), encrypted.getEncryptionKeyVersionName(),
                encrypted.getEncryptedKeyIv(), encrypted.getEncryptedKeyVersion().getMaterial());
    }

    private static EncryptedKeyVersion toHadoop(WrappedDek wrapped) {
        return EncryptedKeyVersion.createForDecryption(wrapped.kekName(), wrapped.kekVersionName(), wrapped.iv(),
                wrapped.encryptedKey());
    }

    /**
     * Maps provider failures to the module's exceptions. A provider that cannot be reached (a KMS down or
     * restarting) is said so, without asking it anything more. Hadoop KMS reports an ACL refusal as
     * AuthorizationException (an AccessControlException); a bare HTTP 403 may arrive as an IOException.
     * A missing key surfaces variously (null checks inside the crypto extension, "not found" messages from
     * KMS), so on any other failure we ask the provider whether the key and version exist.
     */
    private FieldEncryptionException translate(Exception e, String kekName, String keyOrVersion,
                                              String action) {
        if (e instanceof FieldEncryptionException already) {
            return already;
        }
        Throwable network = networkFailure(e);
        if (network != null) {
            return new KeyServiceUnavailableException("the key service " + description + " is unreachable ("
                    + rootMessage(network) + "): cannot " + action + " KEK '" + keyOrVersion + "'", e);
        }
        if (isAccessDenied(e)) {
            return new KeyAccessDeniedException(keyOrVersion, "the key provider "
                    + description + " refused to let this caller " + action + " KEK '" + keyOrVersion + "': "
                    + e.getMessage(), e);
        }
        try {
            if (provider.getMetadata(kekName) == null) {
                return new KekNotFoundException(kekName, "KEK '" + kekName
                        + "' does not exist in " + description + " (cannot " + action + " it)", e);
            }
            if (!keyOrVersion.equals(kekName) && provider.getKeyVersion(keyOrVersion) == null) {
                return new KekNotFoundException(keyOrVersion, "KEK version '"
                        + keyOrVersion + "' does not exist in " + description + " (cannot " + action + " it)", e);
            }
        } catch (IOException | RuntimeException probeFailure) {
            if (isAccessDenied(probeFailure)) {
                return new KeyAccessDeniedException(keyOrVersion,
                        "the key provider " + description + " refused access to KEK '" + keyOrVersion + "': "
                                + probeFailure.getMessage(), e);
            }
            e.addSuppressed(probeFailure);
        }
        return new KeyProviderException("key provider " + description
                + " failed to " + action + " KEK '" + keyOrVersion + "': " + e, e);
    }

    /** The refused, reset or timed-out connection behind {@code e}, or null. */
    private static Throwable networkFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketException || t instanceof SocketTimeoutException) {
                return t;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        String message = e.getClass().getSimpleName();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message;
    }

    private static boolean isAccessDenied(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessControlException || t instanceof java.nio.file.AccessDeniedException) {
                return true;
            }
            String message = t.getMessage();
            if (t instanceof IOException && message != null
                    && (message.contains("HTTP status [403]") || message.contains("403 Forbidden"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "HadoopKekProvider[" + description + "]";
    }
}
