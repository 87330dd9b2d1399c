package io.securelake.policies.tools;

import io.securelake.envs.Environment;
import io.securelake.policies.TestEnvs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyDiffTest {
    @Test
    void environmentsThatDifferOnlyByNamesHaveNoDifference() {
        Environment dev = TestEnvs.load("dev");
        Environment sit = TestEnvs.load("sit");
        List<PolicyDiff.Change> changes = PolicyDiff.diff(dev, sit, TestEnvs.policies());
        assertThat(changes).isEmpty();
        assertThat(PolicyDiff.render(dev, sit, changes)).contains("are the same");
    }

    @Test
    void realDifferencesAreShownLineByLine() {
        Environment sit = TestEnvs.load("sit");
        Environment prod = TestEnvs.load("prod");
        List<PolicyDiff.Change> changes = PolicyDiff.diff(sit, prod, TestEnvs.policies());
        String text = PolicyDiff.render(sit, prod, changes);
        System.out.println(text);
        // prod keeps 400 days, sit 30: the analysts' retention row filter differs, nothing else does.
        assertThat(changes).allSatisfy(c -> assertThat(c.policy()).startsWith("rowfilter-"));
        assertThat(text).contains("~ hive rowfilter-payments-retention").contains("- ").contains("400 * 86400")
                .contains("30 * 86400");
    }
}
