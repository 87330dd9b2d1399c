package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    @TempDir
    Path dir;

    private Path write(String json) throws Exception {
        Path f = dir.resolve("gateway.json");
        Files.writeString(f, json);
        return f;
    }

    private String minimal(String extra) throws Exception {
        Files.writeString(dir.resolve("truststore.p12"), "x");
        return "{\n"
                + "\"environment\": \"dev\",\n"
                + "\"envs_dir\": \"" + ShippedEnvironments.envsDir() + "\",\n"
                + "\"policies_dir\": \"" + ShippedEnvironments.policiesDir() + "\",\n"
                + "\"state_dir\": \"state/knox\",\n"
                + "\"audit_dir\": \"audit\",\n"
                + "\"people_passwords\": \"people.properties\",\n"
                + "\"hive_url\": \"http://localhost:10001/cliservice\",\n"
                + "\"webhdfs_url\": \"https://localhost:9871/webhdfs\",\n"
                + "\"truststore\": \"truststore.p12\",\n"
                + "\"truststore_password\": \"pw\"" + extra + "\n}";
    }

    @Test
    void readsSnakeCaseFieldsAndResolvesRelativePathsAgainstTheFile() throws Exception {
        Files.writeString(dir.resolve("krb5.conf"), "");
        Files.writeString(dir.resolve("knox.keytab"), "");
        GatewayConfig c = GatewayConfig.read(write(minimal(",\n\"port\": 8443, \"ldap_port\": 0,"
                + "\"krb5_conf\": \"krb5.conf\", \"keytab\": \"knox.keytab\","
                + "\"principal\": \"svc-knox-dev@DEV.SECURELAKE.LOCAL\"")));
        assertThat(c.environment()).isEqualTo("dev");
        assertThat(c.topology()).isEqualTo("dev");
        assertThat(c.stateDir()).isEqualTo(dir.resolve("state/knox"));
        assertThat(c.auditDir()).isEqualTo(dir.resolve("audit"));
        assertThat(c.port()).isEqualTo(8443);
        assertThat(c.ldapPort()).isZero();
        assertThat(c.kerberosToBackends()).isTrue();
        assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(c.truststoreType()).isEqualTo("PKCS12");
        assertThat(c.readyFile()).isEqualTo(dir.resolve("state/knox/ready.json"));
        assertThat(c.toString()).doesNotContain("\"pw\"").doesNotContain("truststore_password=pw");
    }

    @Test
    void kerberosToBackendsNeedsPrincipalKeytabAndKrb5Conf() throws Exception {
        assertThatThrownBy(() -> GatewayConfig.read(write(minimal(""))))
                .hasMessageContaining("krb5_conf").hasMessageContaining("keytab").hasMessageContaining("principal");
        GatewayConfig off = GatewayConfig.read(write(minimal(", \"backend_kerberos\": false")));
        assertThat(off.kerberosToBackends()).isFalse();
    }

    @Test
    void unknownFieldsAndMissingOnesAreNamed() throws Exception {
        assertThatThrownBy(() -> GatewayConfig.read(write(minimal(", \"backend_kerberos\": false, \"prot\": 1"))))
                .hasMessageContaining("unknown field 'prot'");
        assertThatThrownBy(() -> GatewayConfig.read(write("{\"environment\": \"dev\", \"backend_kerberos\": false}")))
                .hasMessageContaining("envs_dir").hasMessageContaining("state_dir").hasMessageContaining("hive_url")
                .hasMessageContaining("people_passwords");
    }

    @Test
    void httpsBackendsNeedATruststore() throws Exception {
        String json = minimal(", \"backend_kerberos\": false").replace("\"truststore\": \"truststore.p12\",", "");
        assertThatThrownBy(() -> GatewayConfig.read(write(json))).hasMessageContaining("truststore");
    }
}
