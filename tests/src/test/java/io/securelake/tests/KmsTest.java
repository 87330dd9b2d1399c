package io.securelake.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.securelake.devstack.local.CoreStack;
import io.securelake.envs.Environment;
import io.securelake.envs.ServiceRole;
import io.securelake.hadoop.HadoopSecurity;
import io.securelake.operations.connect.StackClients;
import io.securelake.operations.connect.StackHome;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.crypto.key.KeyProviderCryptoExtension;
import org.apache.hadoop.crypto.key.KeyProviderCryptoExtension.EncryptedKeyVersion;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment's real Hadoop KMS: Kerberos, HTTPS, per-key ACLs derived from the environment. */
class KmsTest {
    @TempDir
    static Path base;
    static CoreStack stack;
    static StackClients clients;
    static Environment env;
    static String kek;
    static Configuration conf;

    @BeforeAll
    static void start() {
        env = ShippedEnvironments.load("dev");
        stack = CoreStack.start(env, CoreJvm.prepare(env, new StackHome(base.resolve("dev"))), System.out::println);
        clients = stack.clients();
        kek = env.names().keyEncryptionKey(env.dataset("payments").orElseThrow());
        conf = clients.hdfsConfiguration();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private <T> T as(String principal, KmsAction<T> action) throws Exception {
        UserGroupInformation user = clients.hdfsLogin(conf, principal);
        return HadoopSecurity.doAs(user, () -> action.run(clients.keyProvider(conf)));
    }

    private Throwable refused(String principal, KmsAction<?> action) {
        return catchThrowable(() -> as(principal, action));
    }

    @FunctionalInterface
    interface KmsAction<T> {
        T run(KeyProviderCryptoExtension kms) throws Exception;
    }

    @Test
    void upCreatedAnAes256KeyPerDataset() throws Exception {
        var metadata = as("carol", kms -> kms.getMetadata(kek));
        assertThat(metadata).isNotNull();
        assertThat(metadata.getBitLength()).isEqualTo(256);
        java.util.List<String> keys = as("carol", kms -> kms.getKeys());
        assertThat(keys).containsExactlyInAnyOrder(
                env.datasets().stream().map(d -> env.names().keyEncryptionKey(d)).toArray(String[]::new));
    }

    @Test
    void ingestWrapsAndUnwrapsDataKeysEtlOnlyUnwraps() throws Exception {
        String ingest = env.names().servicePrincipal(ServiceRole.INGEST);
        String etl = env.names().servicePrincipal(ServiceRole.ETL);
        EncryptedKeyVersion eek = as(ingest, kms -> kms.generateEncryptedKey(kek));
        byte[] dek = as(ingest, kms -> kms.decryptEncryptedKey(eek).getMaterial());
        assertThat(dek).hasSize(32);
        byte[] unwrappedByEtl = as(etl, kms -> kms.decryptEncryptedKey(eek).getMaterial());
        assertThat(unwrappedByEtl).isEqualTo(dek);
        assertThat(refused(etl, kms -> kms.generateEncryptedKey(kek))).hasMessageContaining("GENERATE_EEK");
    }

    @Test
    void everyoneElseIsRefused() throws Exception {
        String ingest = env.names().servicePrincipal(ServiceRole.INGEST);
        EncryptedKeyVersion eek = as(ingest, kms -> kms.generateEncryptedKey(kek));
        assertThat(refused("alice", kms -> kms.decryptEncryptedKey(eek))).hasMessageContaining("alice")
                .hasMessageContaining("DECRYPT_EEK");
        assertThat(refused("mallory", kms -> kms.generateEncryptedKey(kek))).hasMessageContaining("mallory");
        // The infrastructure identity that provisions keys may never see key material.
        assertThat(refused("hdfs/localhost", kms -> kms.decryptEncryptedKey(eek))).hasMessageContaining("hdfs");
        assertThat(refused("carol", kms -> kms.getKeyVersion(eek.getEncryptionKeyVersionName()))).isNotNull();
    }

    @Test
    void keysOfAnotherEnvironmentDoNotExistHere() {
        String ingest = env.names().servicePrincipal(ServiceRole.INGEST);
        Throwable t = refused(ingest, kms -> kms.generateEncryptedKey("prod.payments"));
        assertThat(t).isNotNull();
        assertThat(t.getMessage()).containsAnyOf("prod.payments", "not found", "does not exist");
    }
}
