package io.securelake.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.devstack.kdc.EmbeddedKdc;
import io.securelake.devstack.kdc.KdcSettings;
import io.securelake.devstack.kdc.RealmSecrets;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.kerberos.KeytabLogin;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment's principals and keytabs survive a KDC restart on the same stack home, untouched. */
class LocalRealmTest {
    private static final Environment DEV =
            EnvironmentCatalog.of(Path.of(System.getProperty("securelake.envs.dir", "../envs"))).load("dev");

    @TempDir
    Path dir;

    @Test
    void aKdcRestartedOnTheSameHomeKeepsEveryKeyAndRewritesNoKeytab() throws Exception {
        StackHome home = new StackHome(dir.resolve("dev")).create();
        KdcSettings settings = KdcSettings.localhost(DEV.realm(), home.kdcDir());
        Map<String, Path> keytabs;
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        Map<Path, FileTime> modified = new LinkedHashMap<>();
        KdcSettings again;
        try (EmbeddedKdc kdc = EmbeddedKdc.start(settings, null, RealmSecrets.inWorkDir(settings))) {
            keytabs = LocalRealm.provision(kdc, DEV, home);
            again = settings.withPort(kdc.port());
        }
        assertThat(keytabs).hasSize(4 + DEV.services().size() + DEV.people().size());
        for (Path keytab : keytabs.values()) {
            contents.put(keytab, Files.readAllBytes(keytab));
            modified.put(keytab, Files.getLastModifiedTime(keytab));
        }
        // A keytab lost, and one left by a stack home of before the store (other keys): both are written again.
        Path lost = keytabs.get("kafka/localhost@" + DEV.realm());
        Files.delete(lost);
        Path foreign = keytabs.get("HTTP/localhost@" + DEV.realm());
        Files.write(foreign, contents.get(lost));

        try (EmbeddedKdc kdc = EmbeddedKdc.start(again, null, RealmSecrets.inWorkDir(again))) {
            assertThat(LocalRealm.provision(kdc, DEV, home)).isEqualTo(keytabs);
            for (Path keytab : keytabs.values()) {
                if (keytab.equals(lost)) {
                    assertThat(keytab).as("written again").exists();
                } else if (keytab.equals(foreign)) {
                    assertThat(Files.readAllBytes(keytab)).as("written again").isNotEqualTo(contents.get(lost));
                } else {
                    assertThat(Files.readAllBytes(keytab)).as(keytab.toString()).isEqualTo(contents.get(keytab));
                    assertThat(Files.getLastModifiedTime(keytab)).as("not rewritten: %s", keytab)
                            .isEqualTo(modified.get(keytab));
                }
            }
            KerberosJvm.useKrb5Conf(kdc.krb5Conf());
            // Kept, re-exported and replaced keytabs all log in at the restarted KDC.
            for (String principal : new String[] {LocalRealm.kafkaPrincipal(), LocalRealm.httpPrincipal(),
                LocalRealm.hdfsPrincipal()}) {
                String p = kdc.qualify(principal);
                try (KeytabLogin login = KeytabLogin.login(p, keytabs.get(p))) {
                    assertThat(login.ticketExpiry()).isAfter(java.time.Instant.now());
                }
            }
        }
    }

    @Test
    void provisioningNeedsAKdcWithARealmSecretStore() {
        StackHome home = new StackHome(dir.resolve("dev")).create();
        try (EmbeddedKdc kdc = EmbeddedKdc.start(KdcSettings.localhost(DEV.realm(), home.kdcDir()))) {
            assertThatThrownBy(() -> LocalRealm.provision(kdc, DEV, home))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without a realm secret store");
        }
    }
}
