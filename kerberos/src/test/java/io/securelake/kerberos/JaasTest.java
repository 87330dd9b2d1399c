package io.securelake.kerberos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.URIParameter;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JaasTest {
    @TempDir
    Path dir;

    @Test
    void kafkaLinesForAKeytabAndForATicketCache() {
        assertThat(Jaas.keytabLoginModule("svc-ingest-dev@R", Path.of("/k/ingest.keytab"))).isEqualTo(
                "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true"
                        + " keyTab=\"/k/ingest.keytab\" principal=\"svc-ingest-dev@R\" doNotPrompt=true refreshKrb5Config=true;");
        assertThat(Jaas.ticketCacheLoginModule(null, null)).isEqualTo(
                "com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true doNotPrompt=true;");
        assertThat(Jaas.ticketCacheLoginModule("carol@R", Path.of("/tmp/we\"ird\\cc"))).isEqualTo(
                "com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true doNotPrompt=true"
                        + " principal=\"carol@R\" ticketCache=\"/tmp/we\\\"ird\\\\cc\";");
        assertThatThrownBy(() -> Jaas.ticketCacheLoginModule(" ", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLoginConfigurationFileThatTheJdkReadsBackOptionForOption() throws Exception {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("doNotPrompt", true);
        options.put("useTicketCache", false);
        options.put("principal", "svc-knox-dev");
        options.put("keyTab", dir.resolve("a \"b\" c.keytab").toString());
        String text = Jaas.loginConfigurationFile("for the test", "com.sun.security.jgss.initiate", options);

        assertThat(text).isEqualTo("/* for the test */\n"
                + "com.sun.security.jgss.initiate {\n"
                + "  com.sun.security.auth.module.Krb5LoginModule required\n"
                + "  doNotPrompt=true\n"
                + "  useTicketCache=false\n"
                + "  principal=\"svc-knox-dev\"\n"
                + "  keyTab=\"" + dir.resolve("a \\\"b\\\" c.keytab") + "\";\n"
                + "};\n");

        Path file = Files.writeString(dir.resolve("jaas.conf"), text);
        Configuration read = Configuration.getInstance("JavaLoginConfig", new URIParameter(file.toUri()));
        AppConfigurationEntry[] entries = read.getAppConfigurationEntry("com.sun.security.jgss.initiate");
        assertThat(entries).hasSize(1);
        assertThat(entries[0].getLoginModuleName()).isEqualTo(Jaas.KRB5_LOGIN_MODULE);
        assertThat(entries[0].getControlFlag()).isEqualTo(LoginModuleControlFlag.REQUIRED);
        assertThat(Map.copyOf(entries[0].getOptions())).isEqualTo(Map.<String, Object>of("doNotPrompt", "true",
                "useTicketCache", "false", "principal", "svc-knox-dev",
                "keyTab", dir.resolve("a \"b\" c.keytab").toString()));
    }

    @Test
    void aFileWithoutOptionsOrWithACommentThatEndsEarlyIsRefused() {
        assertThatThrownBy(() -> Jaas.loginConfigurationFile(null, "x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Jaas.loginConfigurationFile("a */ b", "x", Map.of("k", true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("*/");
    }
}
