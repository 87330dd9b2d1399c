package io.securelake.policies.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyTesterTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "sit", "prod"})
    void committedPoliciesMakeTheExpectedDecisions(String envName) {
        Environment env = ShippedEnvironments.load(envName);
        PolicyTester.Report report = PolicyTester.run(env, ShippedEnvironments.policiesDir());
        assertThat(report.results()).hasSizeGreaterThan(40);
        assertThat(report.failures()).as(String.join("\n", report.failures().stream().map(Object::toString).toList()))
                .isEmpty();
    }

    @Test
    void aFailingRowSaysWhatWasExpectedWhatTheEngineDecidedAndWhichPolicy(@TempDir Path tmp) throws Exception {
        Environment env = ShippedEnvironments.load("dev");
        Path table = tmp.resolve("t.csv");
        String topic = env.names().rawTopic(env.datasets().get(0));
        Files.writeString(table, ExpectedDecisions.HEADER + "\n"
                + "kafka," + env.names().servicePrincipal(io.securelake.envs.ServiceRole.INGEST) + ",topic=" + topic + ",publish,deny\n");
        PolicyTester.Report report = PolicyTester.run(env, ShippedEnvironments.policiesDir(), table);
        assertThat(report.passed()).isFalse();
        assertThat(report.failures().get(0).toString())
                .contains("FAIL line 2").contains("expected deny").contains("engine decided allow")
                .contains("policy 1:ingest-payments-produce");
    }
}
