package io.securelake.policies.api;

import java.util.Optional;

/**
 * What the engine decided. {@code policy} is the deciding policy ({@code id:name}); empty when no policy
 * matched (denied by default) or when a super user was allowed without consulting policies.
 */
public record AccessDecision(boolean allowed, Optional<String> policy, String reason) {

    public static AccessDecision allowed(String policy, String reason) {
        return new AccessDecision(true, Optional.ofNullable(policy), reason);
    }

    public static AccessDecision denied(String policy, String reason) {
        return new AccessDecision(false, Optional.ofNullable(policy), reason);
    }
}
