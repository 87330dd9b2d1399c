package io.securelake.knox;

import io.securelake.contracts.plugins.PluginSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.knox.gateway.deploy.DeploymentContext;
import org.apache.knox.gateway.deploy.ProviderDeploymentContributorBase;
import org.apache.knox.gateway.descriptor.FilterParamDescriptor;
import org.apache.knox.gateway.descriptor.ResourceDescriptor;
import org.apache.knox.gateway.topology.Provider;
import org.apache.knox.gateway.topology.Service;

/**
 * Knox provider {@code authorization / SecurelakeRanger}: puts {@link SecurelakeRangerFilter} in front of every
 * resource of every service of the topology, telling it the topology and the service role it guards.
 * Registered through {@code META-INF/services/org.apache.knox.gateway.deploy.ProviderDeploymentContributor}.
 */
public final class SecurelakeRangerContributor extends ProviderDeploymentContributorBase {
    public static final String ROLE = "authorization";
    public static final String NAME = "SecurelakeRanger";
    /** Provider parameter: the environment whose authorizer decides (must match the running gateway's). */
    public static final String PARAM_ENVIRONMENT = PluginSettings.ENVIRONMENT.name();
    static final String PARAM_TOPOLOGY = PluginSettings.KNOX_TOPOLOGY.name();
    static final String PARAM_RESOURCE_ROLE = "resource.role";

    @Override
    public String getRole() {
        return ROLE;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public void contributeFilter(DeploymentContext context, Provider provider, Service service,
                                 ResourceDescriptor resource, List<FilterParamDescriptor> params) {
        List<FilterParamDescriptor> p = params == null ? new ArrayList<>() : new ArrayList<>(params);
        p.add(resource.createFilterParam().name(PARAM_RESOURCE_ROLE).value(resource.role()));
        p.add(resource.createFilterParam().name(PARAM_TOPOLOGY).value(context.getTopology().getName()));
        copyAllProviderParams(provider, resource, p, false);
        resource.addFilter().name(getName()).role(getRole()).impl(SecurelakeRangerFilter.class.getName()).params(p);
    }
}
