package io.securelake.devstack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.kerberos.KerberosJvm;
import io.securelake.operations.connect.StackHome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core stack never chooses the JVM's krb5.conf: its process does, from the file the stack writes. */
class CoreStackJvmSettingsTest {
    private static final Environment DEV =
            EnvironmentCatalog.of(Path.of(System.getProperty("securelake.envs.dir", "../envs"))).load("dev");

    @TempDir
    Path dir;

    @Test
    void theKrb5ConfNamesTheKdcPortKeptForTheStack() throws Exception {
        StackHome home = new StackHome(dir.resolve("dev"));
        Path krb5 = CoreStack.writeKrb5Conf(DEV, home);

        int kdcPort = LocalPorts.loadOrAllocate(home.portsFile()).kdc();
        assertThat(krb5).isEqualTo(home.krb5Conf());
        assertThat(Files.readString(krb5)).contains("default_realm = " + DEV.realm())
                .contains("kdc = " + LocalRealm.HOST + ":" + kdcPort);
        assertThat(CoreStack.writeKrb5Conf(DEV, home)).as("the same file at every start").hasSameTextualContentAs(krb5);
    }

    @Test
    void aStackInAJvmNotPointedAtItsKrb5ConfRefusesToStartBeforeAnythingRuns() {
        StackHome home = new StackHome(dir.resolve("dev"));
        String before = System.getProperty(KerberosJvm.KRB5_CONF_PROPERTY);

        assertThatThrownBy(() -> CoreStack.start(DEV, home, new PolicyEnforcement(
                Path.of(System.getProperty("securelake.envs.dir", "../envs")), dir.resolve("no-policies")), m -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the " + DEV.name() + " core stack needs this JVM to use krb5.conf " + home.krb5Conf())
                .hasMessageContaining("KerberosJvm.useKrb5Conf(");
        assertThat(System.getProperty(KerberosJvm.KRB5_CONF_PROPERTY)).isEqualTo(before);
        assertThat(home.kdcDir()).as("no KDC was started").isEmptyDirectory();
    }
}
