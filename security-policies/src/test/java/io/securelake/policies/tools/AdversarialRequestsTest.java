package io.securelake.policies.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdversarialRequestsTest {

    @Test
    void theDevTableParsesAndCoversEveryDoorAndOutcome() {
        List<AdversarialRequests.Request> all = AdversarialRequests.read(
                AdversarialRequests.file(Path.of("policies"), "dev"));
        assertThat(all).extracting(AdversarialRequests.Request::door).contains("hive", "webhdfs");
        assertThat(all).filteredOn(r -> r.door().equals("hive")).extracting(AdversarialRequests.Request::expected)
                .contains("refused", "error", "allowed", "masked");
        assertThat(all).anySatisfy(r -> assertThat(r.request()).startsWith("SELECT TRANSFORM("));
        assertThat(all).anySatisfy(r -> assertThat(r.request()).contains("reflect("));
        assertThat(all).anySatisfy(r -> assertThat(r.request()).startsWith("SET spark.sql.optimizer.excludedRules"));
        assertThat(all).anySatisfy(r -> assertThat(r.request()).contains("GETDELEGATIONTOKEN"));
    }

    @Test
    void aLineThatIsNotUnderstoodIsAnErrorNamingIt() {
        assertThatThrownBy(() -> AdversarialRequests.parse(List.of("# c", "hive | alice | refusd | x | SELECT 1"), "t"))
                .hasMessage("t:2: expected: 'refusd' is not one of [refused, error, allowed, masked]");
        assertThatThrownBy(() -> AdversarialRequests.parse(List.of("hive | alice | refused | SELECT 1"), "t"))
                .hasMessageStartingWith("t:1: expected 'door | person | expected | fragment | request', got 4 fields");
        assertThatThrownBy(() -> AdversarialRequests.parse(List.of("hive | alice | refused |  | SELECT 1"), "t"))
                .hasMessage("t:1: a refused line names what the answer must contain");
        assertThatThrownBy(() -> AdversarialRequests.parse(List.of("webhdfs | alice | refused |  | GET /x"), "t"))
                .hasMessage("t:1: a webhdfs line expects an HTTP status and requests 'GET /…'");
    }

    @Test
    void fragmentsMatchWithAWildcardAndTheRequestKeepsItsPipes() {
        AdversarialRequests.Request r = AdversarialRequests.parse(List.of(
                "hive | alice | refused | [write] privilege on [<>/tmp/out] | SELECT a || b FROM t"), "t").get(0);
        assertThat(r.request()).isEqualTo("SELECT a || b FROM t");
        assertThat(r.answerMatches("Permission denied: user [alice] does not have [write] privilege on [file:/tmp/out]")).isTrue();
        assertThat(r.answerMatches("Permission denied: user [alice] does not have [read] privilege on [file:/tmp/out]")).isFalse();
        assertThat(r.answerMatches(null)).isFalse();
    }
}
