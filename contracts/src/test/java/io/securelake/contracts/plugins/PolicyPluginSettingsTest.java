package io.securelake.contracts.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyPluginSettingsTest {
    static final PolicyPluginSettings DEV = PolicyPluginSettings.of("dev", Path.of("/p/envs"),
            Path.of("/p/security-policies/policies"), Path.of("/h/dev/audit/kafka"));

    @Test
    void whatTheLauncherWritesThePluginsReadBack() {
        assertThat(PolicyPluginSettings.from(DEV.brokerSettings()::get, "broker config")).isEqualTo(DEV);
        assertThat(PolicyPluginSettings.from(DEV.nameNodeSettings()::get, "Hadoop configuration")).isEqualTo(DEV);
        assertThat(PolicyPluginSettings.fromSpark(DEV.sparkSettings()::get, "the Spark configuration")).isEqualTo(DEV);
        PolicyPluginSettings everyDecision = DEV.withAuditSummaryWindow(Duration.ZERO);
        assertThat(PolicyPluginSettings.from(everyDecision.brokerSettings()::get, "broker config")).isEqualTo(everyDecision);
    }

    @Test
    void theKeysAreTheDeployedOnes() {
        assertThat(DEV.nameNodeSettings()).containsOnlyKeys("securelake.environment", "securelake.envs.dir",
                "securelake.policies.dir", "securelake.audit.dir", "securelake.hdfs.posix.fallback");
        assertThat(DEV.sparkSettings()).containsOnlyKeys("spark.securelake.env", "spark.securelake.envs.dir",
                "spark.securelake.policies.dir", "spark.securelake.audit.dir");
        assertThat(PluginSettings.all()).extracting(SettingKey::name).doesNotHaveDuplicates();
    }

    @Test
    void everyMissingKeyIsNamedAtOnce() {
        assertThatThrownBy(() -> PolicyPluginSettings.fromSpark(Map.of("spark.securelake.env", "dev")::get, "the Spark configuration"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Spark configuration lacks spark.securelake.envs.dir, spark.securelake.policies.dir, spark.securelake.audit.dir");
    }

    @Test
    void invalidValuesAreRefusedNotReadLeniently() {
        Map<String, String> settings = new HashMap<>(DEV.nameNodeSettings());
        settings.put("securelake.hdfs.posix.fallback", "ture");
        settings.put("securelake.audit.summary.window.ms", "-5");
        assertThatThrownBy(() -> PolicyPluginSettings.from(settings::get, "the NameNode's configuration"))
                .hasMessage("the NameNode's configuration: 'securelake.audit.summary.window.ms' must be >= 0 ms, got -5; "
                        + "'securelake.hdfs.posix.fallback' must be true or false, got 'ture'");
        settings.remove("securelake.envs.dir");
        settings.put("securelake.environment", "dev/../prod");
        assertThatThrownBy(() -> PolicyPluginSettings.from(settings::get, "conf"))
                .hasMessageStartingWith("conf lacks securelake.envs.dir; 'securelake.environment' must be a plain name");
    }

    @Test
    void defaultsApplyWhereAKeyMayBeLeftOut() {
        Map<String, String> settings = new HashMap<>(DEV.brokerSettings());
        settings.put("securelake.audit.summary.window.ms", " 250 ");
        PolicyPluginSettings read = PolicyPluginSettings.from(settings::get, "broker config");
        assertThat(read.auditSummaryWindow()).isEqualTo(Duration.ofMillis(250));
        assertThat(read.posixFallback()).isFalse();
    }
}
