package io.securelake.policies.engine;

import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessRequest;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.ranger.authorization.hadoop.config.RangerPluginConfig;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.model.RangerServiceDef;
import org.apache.ranger.plugin.policyengine.RangerAccessRequestImpl;
import org.apache.ranger.plugin.policyengine.RangerAccessResourceImpl;
import org.apache.ranger.plugin.policyengine.RangerAccessResult;
import org.apache.ranger.plugin.service.RangerBasePlugin;
import org.apache.ranger.plugin.util.ServicePolicies;

/**
 * Ranger's own engine for one (environment, service): a {@link RangerBasePlugin} configured
 * programmatically (no class-path XML, so two environments can live in one JVM) and fed policies with
 * {@link RangerBasePlugin#setPolicies}, which builds a new {@code RangerPolicyEngineImpl} and swaps it
 * atomically. {@link RangerBasePlugin#init()} is deliberately never called: it would start Ranger's
 * polling refresher thread and initialise the JVM-wide {@code AuditProviderFactory} singleton with this
 * plugin's settings; securelake reloads on file events instead and audits through its own sink.
 */
public final class RangerEngine {
    private static final String PLACEHOLDER = "securelake-no-policies";

    private final RangerServiceType type;
    private final String serviceName;
    private final RangerBasePlugin plugin;
    private volatile Map<Long, String> labels = Map.of();

    public RangerEngine(String environment, RangerServiceType type, String serviceName) {
        this.type = type;
        this.serviceName = serviceName;
        String prefix = "ranger.plugin." + type.serviceDefName();
        Properties p = new Properties();
        p.setProperty(prefix + ".service.name", serviceName);
        // Named for deployments that let Ranger's refresher poll the same files; unused while init() is not called.
        p.setProperty(prefix + ".policy.source.impl", LocalPolicySource.class.getName());
        p.setProperty(prefix + ".policy.cache.dir", "");
        p.setProperty(prefix + ".access.cluster.name", environment);
        this.plugin = new RangerBasePlugin(new RangerPluginConfig(type.serviceDefName(), serviceName,
                "securelake-" + environment + "-" + type.serviceDefName(), p));
    }

    public RangerServiceType type() {
        return type;
    }

    public String serviceName() {
        return serviceName;
    }

    /** Builds a new engine from these policies and swaps it in; decisions in flight finish on the old one. */
    public void setPolicies(ServicePolicies policies) {
        ServicePolicies sp = withPlaceholderIfEmpty(policies);
        Map<Long, String> names = new HashMap<>();
        for (RangerPolicy policy : sp.getPolicies()) {
            if (policy.getId() != null) {
                names.put(policy.getId(), policy.getId() + ":" + policy.getName());
            }
        }
        plugin.setPolicies(sp);
        labels = Map.copyOf(names);
    }

    /** {@code id:name} of a policy in force, or null for "no policy" (Ranger reports -1). */
    public String policyLabel(long id) {
        return id < 0 ? null : labels.getOrDefault(id, Long.toString(id));
    }

    public RangerAccessResult access(AccessRequest request) {
        return plugin.isAccessAllowed(toRanger(request), null);
    }

    public RangerAccessResult dataMask(AccessRequest request) {
        return plugin.evalDataMaskPolicies(toRanger(request), null);
    }

    public RangerAccessResult rowFilter(AccessRequest request) {
        return plugin.evalRowFilterPolicies(toRanger(request), null);
    }

    public RangerServiceDef serviceDef() {
        return plugin.getServiceDef();
    }

    public void close() {
        plugin.cleanup();
    }

    private RangerAccessRequestImpl toRanger(AccessRequest r) {
        Map<String, Object> resource = new LinkedHashMap<>(r.resource());
        RangerAccessRequestImpl req = new RangerAccessRequestImpl(new RangerAccessResourceImpl(resource),
                r.accessType(), r.user(), r.groups(), null);
        req.setAccessTime(new Date());
        req.setAction(r.accessType());
        req.setClientIPAddress(r.clientAddress());
        req.setRequestData(r.requestId());
        return req;
    }

    /**
     * Ranger treats a download with no policies as "nothing changed" and keeps the previous engine, so
     * deleting every policy from a file would leave the old grants in force. A disabled policy that
     * grants nothing makes the list non-empty and the new, empty engine is built.
     */
    private ServicePolicies withPlaceholderIfEmpty(ServicePolicies in) {
        if (in.getPolicies() != null && !in.getPolicies().isEmpty()) {
            return in;
        }
        RangerServiceDef def = in.getServiceDef() != null ? in.getServiceDef() : ServiceDefinitions.load(type);
        RangerPolicy placeholder = new RangerPolicy();
        placeholder.setId(Long.MAX_VALUE);
        placeholder.setName(PLACEHOLDER);
        placeholder.setService(serviceName);
        placeholder.setIsEnabled(false);
        placeholder.setResources(Map.of(def.getResources().get(0).getName(),
                new RangerPolicy.RangerPolicyResource(PLACEHOLDER)));
        ServicePolicies out = new ServicePolicies();
        out.setServiceName(in.getServiceName());
        out.setPolicyVersion(in.getPolicyVersion());
        out.setServiceDef(def);
        out.setPolicies(new ArrayList<>(List.of(placeholder)));
        return out;
    }
}
