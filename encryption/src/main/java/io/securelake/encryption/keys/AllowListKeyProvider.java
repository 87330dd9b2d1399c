package io.securelake.encryption.keys;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.crypto.key.KeyProvider;
import org.apache.hadoop.security.authorize.AuthorizationException;

/**
 * A Hadoop KeyProvider that lets a caller use only listed KEKs, refusing others the way Hadoop KMS key
 * ACLs do (AuthorizationException). Useful on its own to confine a job to its datasets' keys; the tests
 * use it as a provider that really refuses.
 */
public final class AllowListKeyProvider extends KeyProvider {

    private final KeyProvider delegate;
    private final Set<String> allowedKekNames;
    private final String principal;

    public AllowListKeyProvider(KeyProvider delegate, Set<String> allowedKekNames, String principal) {
        super(delegate.getConf());
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.allowedKekNames = Set.copyOf(allowedKekNames);
        this.principal = Objects.requireNonNull(principal, "principal");
    }

    private void check(String kekName, String operation) throws AuthorizationException {
        if (!allowedKekNames.contains(kekName)) {
            throw new AuthorizationException("User:" + principal + " not allowed to do '" + operation + "' on '"
                    + kekName + "'");
        }
    }

    @Override
    public KeyVersion getKeyVersion(String versionName) throws IOException {
        check(getBaseName(versionName), "GET_KEY_VERSION");
        return delegate.getKeyVersion(versionName);
    }

    @Override
    public List<String> getKeys() throws IOException {
        return delegate.getKeys().stream().filter(allowedKekNames::contains).toList();
    }

    @Override
    public List<KeyVersion> getKeyVersions(String name) throws IOException {
        check(name, "GET_KEY_VERSIONS");
        return delegate.getKeyVersions(name);
    }

    @Override
    public Metadata getMetadata(String name) throws IOException {
        check(name, "GET_METADATA");
        return delegate.getMetadata(name);
    }

    @Override
    public KeyVersion createKey(String name, byte[] material, Options options) throws IOException {
        check(name, "CREATE");
        return delegate.createKey(name, material, options);
    }

    @Override
    public void deleteKey(String name) throws IOException {
        check(name, "DELETE");
        delegate.deleteKey(name);
    }

    @Override
    public KeyVersion rollNewVersion(String name, byte[] material) throws IOException {
        check(name, "ROLLOVER");
        return delegate.rollNewVersion(name, material);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return "AllowList" + allowedKekNames + "(" + delegate + ")";
    }
}
