package io.securelake.operations.keys;

import io.securelake.encryption.FieldEncryptionException;
import io.securelake.encryption.GeneratedDek;
import io.securelake.encryption.KekNotFoundException;
import io.securelake.encryption.KekProvider;
import io.securelake.encryption.KekVersions;
import io.securelake.encryption.KeyAccessDeniedException;
import io.securelake.encryption.KeyProviderException;
import io.securelake.encryption.WrappedDek;
import io.securelake.encryption.keys.HadoopKekProvider;
import io.securelake.hadoop.HadoopSecurity;
import java.io.IOException;
import java.net.URI;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.KeyProvider;
import org.apache.hadoop.crypto.key.KeyProviderFactory;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * A Hadoop or Ranger KMS as a {@link KekProvider} for one Kerberos identity. The KMS client picks the
 * caller from the thread's current user at each request, so every call here runs inside
 * {@code user.doAs}: a field cipher built on it works from any thread (Kafka consumer, executor) as
 * that identity and no other.
 *
 * <p>The current version of a KEK is read from its metadata (version count), not from the KMS
 * "current version" call: that call returns the key material too and is therefore granted to nobody
 * (KMS ACL {@code GET}).
 */
public final class KmsKekProvider implements KekProvider {
    private final KeyProvider keyProvider;
    private final HadoopKekProvider kek;
    private final UserGroupInformation user;
    private final String uri;

    private KmsKekProvider(KeyProvider keyProvider, UserGroupInformation user, String uri) {
        this.keyProvider = keyProvider;
        this.kek = HadoopKekProvider.wrap(keyProvider, uri);
        this.user = user;
        this.uri = uri;
    }

    /** @param conf Hadoop settings of the KMS client (truststore; Kerberos must be enabled JVM-wide) */
    public static KmsKekProvider open(URI providerUri, Configuration conf, UserGroupInformation user) {
        Objects.requireNonNull(user, "user");
        try {
            KeyProvider provider = HadoopSecurity.doAs(user, () -> KeyProviderFactory.get(providerUri, conf));
            if (provider == null) {
                throw new KeyProviderException("no Hadoop key provider for " + providerUri, null);
            }
            return new KmsKekProvider(provider, user, providerUri.toString());
        } catch (IOException e) {
            throw new KeyProviderException("cannot open key provider " + providerUri + ": " + e.getMessage(), e);
        }
    }

    /** The identity every call runs as, e.g. {@code svc-ingest-dev@DEV.SECURELAKE.LOCAL}. */
    public String userName() {
        return user.getUserName();
    }

    @Override
    public GeneratedDek generateDek(String kekName) {
        return as(() -> kek.generateDek(kekName));
    }

    @Override
    public byte[] unwrapDek(WrappedDek wrapped) {
        return as(() -> kek.unwrapDek(wrapped));
    }

    @Override
    public WrappedDek rewrapDek(WrappedDek wrapped) {
        return as(() -> kek.rewrapDek(wrapped));
    }

    @Override
    public String currentVersionName(String kekName) {
        return describe(kekName).map(KekDescription::currentVersion).orElseThrow(() ->
                new KekNotFoundException(kekName, "KEK '" + kekName + "' does not exist in " + uri));
    }

    @Override
    public List<String> listKekNames() {
        return as(kek::listKekNames);
    }

    @Override
    public String createKek(String kekName) {
        return as(() -> kek.createKek(kekName));
    }

    @Override
    public String rollKek(String kekName) {
        return as(() -> kek.rollKek(kekName));
    }

    /** Metadata of one KEK, empty if it does not exist. */
    public Optional<KekDescription> describe(String kekName) {
        return as(() -> {
            try {
                return Optional.ofNullable(keyProvider.getMetadata(kekName)).map(m -> description(kekName, m));
            } catch (IOException e) {
                throw translate(e, kekName, "read the metadata of");
            }
        });
    }

    /** Metadata of every KEK the caller may list, in one KMS round trip after the listing. */
    public List<KekDescription> describeAll() {
        return as(() -> {
            List<String> names = kek.listKekNames().stream().sorted().toList();
            try {
                KeyProvider.Metadata[] all = keyProvider.getKeysMetadata(names.toArray(String[]::new));
                List<KekDescription> out = new ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    if (all[i] != null) {
                        out.add(description(names.get(i), all[i]));
                    }
                }
                return out;
            } catch (IOException e) {
                throw translate(e, String.join(",", names), "read the metadata of");
            }
        });
    }

    /**
     * Asks the KMS to prove the caller may manage {@code kekName} (KMS ACL ROLLOVER and key ACL
     * MANAGEMENT) with its one management call that changes nothing the data depends on: it drops the
     * server's pre-generated wrapped DEKs of that KEK.
     */
    public void requireManagement(String kekName) {
        as(() -> {
            try {
                keyProvider.invalidateCache(kekName);
                return null;
            } catch (IOException e) {
                throw translate(e, kekName, "manage");
            }
        });
    }

    @Override
    public void close() {
        kek.close();
    }

    private static KekDescription description(String name, KeyProvider.Metadata m) {
        return new KekDescription(name, KekVersions.name(name, m.getVersions() - 1), m.getVersions(), m.getCipher(),
                m.getBitLength(), m.getDescription(), m.getCreated() == null ? null : m.getCreated().toInstant(),
                m.getAttributes());
    }

    private <T> T as(PrivilegedExceptionAction<T> action) {
        try {
            return HadoopSecurity.doAs(user, action);
        } catch (IOException e) {
            throw translate(e, "?", "use");
        }
    }

    private FieldEncryptionException translate(IOException e, String kekName, String what) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessControlException) {
                return new KeyAccessDeniedException(kekName, "the KMS " + uri + " refused to let "
                        + user.getUserName() + " " + what + " KEK '" + kekName + "': " + firstLine(t.getMessage()), e);
            }
        }
        return new KeyProviderException("the KMS " + uri + " failed to " + what + " KEK '" + kekName + "': "
                + firstLine(e.getMessage()), e);
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    @Override
    public String toString() {
        return "KmsKekProvider[" + uri + " as " + user.getUserName() + "]";
    }
}
