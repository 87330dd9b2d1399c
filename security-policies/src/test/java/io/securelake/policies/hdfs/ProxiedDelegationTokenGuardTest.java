package io.securelake.policies.hdfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxiedDelegationTokenGuardTest {

    @Test
    void aTokenOperationOnSomeonesBehalfIsRefusedInAnySpelling() {
        assertThat(ProxiedDelegationTokenGuard.refusal(Map.of("op", new String[] {"GETDELEGATIONTOKEN"},
                "doAs", new String[] {"alice"}, "renewer", new String[] {"alice"})))
                .isEqualTo("op=GETDELEGATIONTOKEN on behalf of another user (doas=...) is refused: delegation tokens are"
                        + " issued only to services that authenticate as themselves, never through a gateway or proxy");
        assertThat(ProxiedDelegationTokenGuard.refusal(Map.of("OP", new String[] {"renewDelegationToken"},
                "DOAS", new String[] {"alice"}))).startsWith("op=RENEWDELEGATIONTOKEN on behalf");
        assertThat(ProxiedDelegationTokenGuard.refusal(Map.of("op", new String[] {"CANCELDELEGATIONTOKEN"},
                "user.name", new String[] {"svc-lakewriter-dev"}))).startsWith("op=CANCELDELEGATIONTOKEN on behalf");
    }

    @Test
    void otherRequestsAndAServicesOwnTokenPassThrough() {
        assertThat(ProxiedDelegationTokenGuard.refusal(Map.of("op", new String[] {"LISTSTATUS"}, "doAs", new String[] {"alice"})))
                .isNull();
        assertThat(ProxiedDelegationTokenGuard.refusal(Map.of("op", new String[] {"GETDELEGATIONTOKEN"},
                "renewer", new String[] {"yarn"}))).isNull();
        assertThat(ProxiedDelegationTokenGuard.refusal(Map.of("op", new String[] {"GETDELEGATIONTOKEN"},
                "doas", new String[] {""}))).isNull();
    }
}
