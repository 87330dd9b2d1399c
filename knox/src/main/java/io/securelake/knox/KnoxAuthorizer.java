package io.securelake.knox;

import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.api.GroupResolver;
import io.securelake.policies.api.Policies;
import io.securelake.policies.api.PolicyDecider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether an authenticated user may use a service of the environment's topology: Ranger's engine
 * ({@link PolicyDecider}, live-reloaded) over {@code <env>_knox.json}, resource {@code topology} + {@code service},
 * access type {@code allow}. Groups are the environment definition's (the same mapping Kafka and HDFS use; the
 * directory is generated from it). Every decision is audited by the store (stage {@code knox}).
 *
 * <p>One per environment per JVM, registered with {@link #register} so the servlet filters Knox instantiates
 * inside the deployed topology find it; a topology whose authorizer is not registered fails to deploy.
 */
public final class KnoxAuthorizer implements AutoCloseable {
    public static final String ACCESS_TYPE = "allow";
    private static final Map<String, KnoxAuthorizer> REGISTRY = new ConcurrentHashMap<>();

    private final Environment env;
    private final PolicyDecider store;
    private final GroupResolver groups;

    public KnoxAuthorizer(Environment env, PolicyDecider store) {
        this.env = Objects.requireNonNull(env, "env");
        this.store = Objects.requireNonNull(store, "store");
        this.groups = Policies.groupsOf(env);
    }

    public static void register(KnoxAuthorizer a) {
        REGISTRY.put(a.env.name(), a);
    }

    public static void unregister(KnoxAuthorizer a) {
        REGISTRY.remove(a.env.name(), a);
    }

    static KnoxAuthorizer registered(String environment) {
        return REGISTRY.get(environment);
    }

    public Environment environment() {
        return env;
    }

    public PolicyDecider store() {
        return store;
    }

    /** The decision and, when denied, the message the client gets. */
    public record Outcome(AccessDecision decision, String message) {
        public boolean allowed() {
            return decision.allowed();
        }
    }

    /**
     * @param user          the effective (asserted) short user name
     * @param topology      the topology the request addressed
     * @param service       the Knox service role, e.g. {@code WEBHDFS}
     * @param clientAddress the client's address, may be null
     * @param requestId     Knox's correlation id, may be null
     */
    public Outcome decide(String user, String topology, String service, String clientAddress, String requestId) {
        Set<String> userGroups = groups.groupsOf(user);
        Map<String, String> resource = new LinkedHashMap<>();
        resource.put("topology", topology);
        resource.put("service", service);
        AccessRequest request = new AccessRequest(RangerServiceType.KNOX, user, userGroups, resource, ACCESS_TYPE,
                clientAddress, requestId);
        AccessDecision d = store.decide(request);
        String message = d.allowed() ? "" : "securelake: access denied: user '" + user + "' may not use service "
                + service + " of topology '" + topology + "' (" + d.reason() + ")";
        return new Outcome(d, message);
    }

    @Override
    public void close() {
        unregister(this);
        store.close();
    }
}
