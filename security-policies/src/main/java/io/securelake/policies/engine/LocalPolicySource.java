package io.securelake.policies.engine;

import io.securelake.envs.RangerServiceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Date;
import org.apache.hadoop.conf.Configuration;
import org.apache.ranger.admin.client.AbstractRangerAdminClient;
import org.apache.ranger.plugin.util.ServicePolicies;

/**
 * A Ranger policy source reading one committed policy file instead of Ranger Admin. Usable by Ranger's
 * own refresher ({@code ranger.plugin.<type>.policy.source.impl} = this class, file in
 * {@code ranger.plugin.<type>.policy.source.securelake.file}) and by {@link PolicyStore}, which calls it
 * on file-system events. Returns new policies only when the file's content changed.
 */
public class LocalPolicySource extends AbstractRangerAdminClient {
    public static final String FILE_KEY_SUFFIX = ".policy.source.securelake.file";

    private Path file;
    private RangerServiceType type;
    private byte[] lastDigest;

    /** For Ranger's reflective construction; {@link #init} supplies the file. */
    public LocalPolicySource() {
    }

    public LocalPolicySource(Path file, RangerServiceType type) {
        this.file = file;
        this.type = type;
    }

    @Override
    public void init(String serviceName, String appId, String configPropertyPrefix, Configuration config) {
        super.init(serviceName, appId, configPropertyPrefix, config);
        String path = config.get(configPropertyPrefix + FILE_KEY_SUFFIX);
        if (path == null) {
            throw new IllegalArgumentException("policy source for " + serviceName + " needs "
                    + configPropertyPrefix + FILE_KEY_SUFFIX + " (the policy file to read)");
        }
        this.file = Path.of(path);
        String typeName = configPropertyPrefix.substring(configPropertyPrefix.lastIndexOf('.') + 1);
        this.type = RangerServiceType.valueOf(typeName.toUpperCase(java.util.Locale.ROOT));
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized ServicePolicies getServicePoliciesIfUpdated(long lastKnownVersion, long lastActivationTimeInMillis) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyFileException(file, "does not exist: no policies for this service (everything would be denied)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy file " + file, e);
        }
        byte[] digest = sha256(bytes);
        if (lastDigest != null && Arrays.equals(digest, lastDigest)) {
            return null;
        }
        ServicePolicies sp = PolicyFiles.read(file, type);
        sp.setPolicyVersion(Math.max(lastKnownVersion, 0) + 1);
        sp.setPolicyUpdateTime(new Date());
        lastDigest = digest;
        return sp;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
