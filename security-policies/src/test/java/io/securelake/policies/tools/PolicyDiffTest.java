package io.securelake.policies.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDiffTest {
    @Test
    void environmentsThatDifferOnlyByNamesHaveNoDifference() {
        Environment dev = ShippedEnvironments.load("dev");
        Environment sit = ShippedEnvironments.load("sit");
        List<PolicyDiff.Change> changes = PolicyDiff.diff(dev, sit, ShippedEnvironments.policiesDir());
        assertThat(changes).isEmpty();
        assertThat(PolicyDiff.render(dev, sit, changes)).contains("are the same");
    }

    @Test
    void realDifferencesAreShownLineByLine() {
        Environment sit = ShippedEnvironments.load("sit");
        Environment prod = ShippedEnvironments.load("prod");
        List<PolicyDiff.Change> changes = PolicyDiff.diff(sit, prod, ShippedEnvironments.policiesDir());
        String text = PolicyDiff.render(sit, prod, changes);
        System.out.println(text);
        // prod keeps 400 days, sit 30: the analysts' retention row filter differs, nothing else does.
        assertThat(changes).allSatisfy(c -> assertThat(c.policy()).startsWith("rowfilter-"));
        assertThat(text).contains("~ hive rowfilter-payments-retention").contains("- ").contains("400 * 86400")
                .contains("30 * 86400");
    }
}
