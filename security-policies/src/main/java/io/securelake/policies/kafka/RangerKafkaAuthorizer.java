package io.securelake.policies.kafka;

import io.securelake.audit.AuditSink;
import io.securelake.audit.BatchingAuditSink;
import io.securelake.audit.JsonLinesAuditSink;
import io.securelake.contracts.plugins.PluginSettings;
import io.securelake.contracts.plugins.PolicyPluginSettings;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentCatalog;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.api.GroupResolver;
import io.securelake.policies.engine.EnvironmentGroups;
import io.securelake.policies.engine.PolicyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.server.authorizer.AclCreateResult;
import org.apache.kafka.server.authorizer.AclDeleteResult;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.Authorizer;
import org.apache.kafka.server.authorizer.AuthorizerServerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka {@link Authorizer} whose decisions are Ranger's (kafka service definition) over the
 * environment's policy files, live-reloaded. Super users are allowed; everything no policy grants is
 * denied; every decision is audited. ACLs are managed as policies, so the ACL admin API is refused. The
 * broker's own configuration is deployed, never altered through Kafka: ALTER_CONFIGS on the cluster is
 * refused to everyone but super users whatever the policies say ({@link KafkaAccessMapping#refusedWhateverThePolicies}).
 * <p>Broker configuration:
 * <pre>
 * authorizer.class.name=io.securelake.policies.kafka.RangerKafkaAuthorizer
 * securelake.environment=dev
 * securelake.envs.dir=/path/to/envs
 * securelake.policies.dir=/path/to/security-policies/policies
 * securelake.audit.dir=/path/to/.securelake/dev/audit
 * super.users=User:kafka
 * </pre>
 */
public final class RangerKafkaAuthorizer implements Authorizer {
    // The keys are PluginSettings' (one definition, shared with the launcher that writes them).
    public static final String ENVIRONMENT = PluginSettings.ENVIRONMENT.name();
    public static final String ENVS_DIR = PluginSettings.ENVS_DIR.name();
    public static final String POLICIES_DIR = PluginSettings.POLICIES_DIR.name();
    public static final String AUDIT_DIR = PluginSettings.AUDIT_DIR.name();
    public static final String SUPER_USERS = "super.users";
    /** {@link PluginSettings#AUDIT_SUMMARY_WINDOW}: identical decisions within it are audited as one summary record. */
    public static final String AUDIT_SUMMARY_WINDOW_MS = PluginSettings.AUDIT_SUMMARY_WINDOW.name();
    public static final long DEFAULT_AUDIT_SUMMARY_WINDOW_MS = PluginSettings.AUDIT_SUMMARY_WINDOW.defaultValue().orElseThrow().toMillis();

    private static final Logger LOG = LoggerFactory.getLogger(RangerKafkaAuthorizer.class);

    private PolicyStore store;
    private GroupResolver groups;
    private AuditSink audit;
    private boolean ownsAudit;

    /** For the broker, which configures it through {@link #configure}. */
    public RangerKafkaAuthorizer() {
    }

    /** For embedding and tests: decisions by {@code store}, groups by {@code groups}. */
    public RangerKafkaAuthorizer(PolicyStore store, GroupResolver groups) {
        this.store = store;
        this.groups = groups;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        PolicyPluginSettings settings = PolicyPluginSettings.from(key -> {
            Object v = configs.get(key);
            return v == null ? null : v.toString();
        }, getClass().getSimpleName() + "'s broker config");
        Environment env = EnvironmentCatalog.of(settings.envsDir()).load(settings.environment());
        Path auditDir = settings.auditDir();
        Set<String> superUsers = superUsers(configs.get(SUPER_USERS));
        // Batching keeps file I/O off the request threads; close() drains it, so nothing is lost on stop.
        // Kafka builds one authorizer for the broker and one for the controller: each gets its own chain.
        JsonLinesAuditSink trail = JsonLinesAuditSink.firstFree(auditDir.toAbsolutePath().getParent(),
                auditDir.getFileName().toString());
        this.audit = new BatchingAuditSink(trail, 65_536, Duration.ofMillis(200),
                Duration.ofSeconds(30));
        this.ownsAudit = true;
        this.groups = new EnvironmentGroups(env);
        this.store = PolicyStore.open(PolicyStore.Config.of(env, RangerServiceType.KAFKA, settings.policiesDir(), audit)
                .withSuperUsers(superUsers).withAuditSummaryWindow(settings.auditSummaryWindow()).withLog(LOG::info));
    }

    /** Kafka's {@code super.users}: {@code User:a;User:b}; only User principals are meaningful here. */
    static Set<String> superUsers(Object value) {
        if (value == null) {
            return Set.of();
        }
        return Arrays.stream(value.toString().split(";")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.startsWith(KafkaPrincipal.USER_TYPE + ":") ? s.substring(KafkaPrincipal.USER_TYPE.length() + 1) : s)
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Map<Endpoint, ? extends CompletionStage<Void>> start(AuthorizerServerInfo serverInfo) {
        // Policies are loaded in configure(); every listener may start at once.
        Map<Endpoint, CompletableFuture<Void>> ready = new HashMap<>();
        for (Endpoint e : serverInfo.endpoints()) {
            ready.put(e, CompletableFuture.completedFuture(null));
        }
        return ready;
    }

    @Override
    public List<AuthorizationResult> authorize(AuthorizableRequestContext context, List<Action> actions) {
        List<AuthorizationResult> out = new ArrayList<>(actions.size());
        for (Action action : actions) {
            out.add(authorize(context, action));
        }
        return out;
    }

    private AuthorizationResult authorize(AuthorizableRequestContext context, Action action) {
        String user = context.principal().getName();
        var key = KafkaAccessMapping.resourceKey(action.resourcePattern().resourceType());
        var access = KafkaAccessMapping.accessType(action.operation());
        if (key.isEmpty() || access.isEmpty() || action.resourcePattern().patternType() != PatternType.LITERAL) {
            // Still audited: a request the mapping cannot express is a denial someone may need to explain.
            AccessRequest unknown = request(context, user, key.orElse(action.resourcePattern().resourceType().name().toLowerCase()),
                    action.resourcePattern().name(), action.operation().name().toLowerCase());
            store.decide(unknown); // no policy can match an access type the service definition lacks
            return AuthorizationResult.DENIED;
        }
        AccessRequest req = request(context, user, key.get(), action.resourcePattern().name(), access.get());
        return decide(req).allowed() ? AuthorizationResult.ALLOWED : AuthorizationResult.DENIED;
    }

    /** Decides and audits: the broker's own refusals first (super users excepted), then the policies. */
    private AccessDecision decide(AccessRequest req) {
        Optional<String> refusal = refusal(req);
        return refusal.isPresent() ? store.refuseByRule(req, KafkaAccessMapping.BROKER_CONFIG_RULE, refusal.get())
                : store.decide(req);
    }

    /** Why the broker refuses {@code req} whatever the policies say; empty when they decide. */
    private Optional<String> refusal(AccessRequest req) {
        if (store.isSuperUser(req.user())) {
            return Optional.empty();
        }
        String key = req.resource().keySet().iterator().next();
        return KafkaAccessMapping.refusedWhateverThePolicies(key, req.accessType());
    }

    private AccessRequest request(AuthorizableRequestContext context, String user, String key, String name, String access) {
        return new AccessRequest(RangerServiceType.KAFKA, user, groups.groupsOf(user), Map.of(key, name), access,
                context.clientAddress() == null ? null : context.clientAddress().getHostAddress(),
                context.clientId() + "#" + context.correlationId());
    }

    /**
     * "May the caller do {@code op} on at least one resource of this type?" (Kafka asks it, e.g., for
     * idempotent producers without IDEMPOTENT_WRITE). Ranger cannot enumerate, so the engine is asked
     * about each resource value the current policies name for that type (a pattern such as
     * {@code dev.raw.*} is asked as a literal name, which the pattern matches); deny policies still apply.
     */
    @Override
    public AuthorizationResult authorizeByResourceType(AuthorizableRequestContext context, AclOperation op, ResourceType type) {
        String user = context.principal().getName();
        var key = KafkaAccessMapping.resourceKey(type);
        var access = KafkaAccessMapping.accessType(op);
        if (key.isEmpty() || access.isEmpty()) {
            return AuthorizationResult.DENIED;
        }
        for (String value : store.resourceValues(key.get())) {
            AccessRequest req = request(context, user, key.get(), value, access.get());
            // A resource the broker refuses whatever the policies say does not count as granted.
            if (refusal(req).isEmpty() && store.evaluateUnaudited(req).allowed()) {
                return decide(req).allowed() ? AuthorizationResult.ALLOWED : AuthorizationResult.DENIED;
            }
        }
        decide(request(context, user, key.get(), "<any>", access.get()));
        return AuthorizationResult.DENIED;
    }

    @Override
    public List<? extends CompletionStage<AclCreateResult>> createAcls(AuthorizableRequestContext context, List<AclBinding> bindings) {
        ApiException refused = aclApiRefused(context);
        return bindings.stream().map(b -> CompletableFuture.completedFuture(new AclCreateResult(refused))).toList();
    }

    @Override
    public List<? extends CompletionStage<AclDeleteResult>> deleteAcls(AuthorizableRequestContext context, List<AclBindingFilter> filters) {
        ApiException refused = aclApiRefused(context);
        return filters.stream().map(f -> CompletableFuture.completedFuture(new AclDeleteResult(refused))).toList();
    }

    private ApiException aclApiRefused(AuthorizableRequestContext context) {
        return new org.apache.kafka.common.errors.InvalidRequestException("ACLs of this cluster are Ranger policies ("
                + store.serviceName() + "), kept as code: change them with 'securelake policy' and a reviewed pull request, not with the ACL API");
    }

    /** No Kafka ACLs exist: access is governed by Ranger policies. */
    @Override
    public Iterable<AclBinding> acls(AclBindingFilter filter) {
        return List.of();
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
        if (ownsAudit && audit != null) {
            audit.close();
        }
    }

}
