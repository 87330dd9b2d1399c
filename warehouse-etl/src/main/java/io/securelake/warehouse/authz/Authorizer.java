package io.securelake.warehouse.authz;

import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.api.MaskDecision;
import io.securelake.policies.api.RowFilterDecision;

import java.util.Set;

/**
 * Ranger's decisions for one user in one statement: every request carries the user, the user's groups
 * (from the environment definition), the hive resource, the access type and the statement's request id;
 * {@link io.securelake.policies.api.PolicyDecider} audits every access decision, allowed or denied.
 */
final class Authorizer {
    private final AuthzRuntime runtime;
    private final SessionUser user;
    private final Set<String> groups;
    private final String requestId;
    private final long policyVersion;

    Authorizer(AuthzRuntime runtime, SessionUser user, String requestId) {
        this.runtime = runtime;
        this.user = user;
        this.groups = runtime.groupsOf(user.name());
        this.requestId = requestId;
        this.policyVersion = runtime.policyVersion();
    }

    SessionUser user() {
        return user;
    }

    long policyVersion() {
        return policyVersion;
    }

    /** The user is one of the environment's people, not a service principal. */
    boolean person() {
        return runtime.isPerson(user.name());
    }

    PlanMarks.Mark mark() {
        return new PlanMarks.Mark(user.name(), policyVersion, requestId);
    }

    AccessDecision decide(String access, HiveResource resource) {
        return runtime.decide(request(access, resource));
    }

    /** @throws AccessDeniedException naming user, access and resource */
    void require(String access, HiveResource resource) {
        if (!decide(access, resource).allowed()) {
            throw AccessDeniedException.of(user.name(), access, resource);
        }
    }

    /**
     * A statement refused for what it is rather than for a missing privilege (a construct no policy can
     * grant, a setting, an unknown statement kind): audited like a denial, with the statement as resource.
     */
    AccessDeniedException refuse(String what) {
        return refused(what, AccessDeniedException.statement(user.name(), what));
    }

    /** Audits {@code refusal} as a denial of the statement ({@code what} names what was refused) and returns it. */
    AccessDeniedException refused(String what, AccessDeniedException refusal) {
        AccessRequest request = new AccessRequest(RangerServiceType.HIVE, user.name(), groups,
                java.util.Map.of("statement", what), "statement", null, requestId);
        String reason = refusal.getMessage().substring(refusal.getMessage().indexOf(']') + 1).strip();
        runtime.store().recordExternal(request, AccessDecision.denied(null, reason));
        return refusal;
    }

    boolean visible(HiveResource resource) {
        return decide(HiveAccess.ANY, resource).allowed();
    }

    MaskDecision mask(HiveResource column) {
        return runtime.store().mask(request(HiveAccess.SELECT, column));
    }

    RowFilterDecision rowFilter(HiveResource table) {
        return runtime.store().rowFilter(request(HiveAccess.SELECT, table.tableOnly()));
    }

    private AccessRequest request(String access, HiveResource resource) {
        return new AccessRequest(RangerServiceType.HIVE, user.name(), groups, resource.toMap(), access, null, requestId);
    }
}
