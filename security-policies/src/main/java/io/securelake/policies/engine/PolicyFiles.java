package io.securelake.policies.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.securelake.contracts.files.DurableLocalFiles;
import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.util.ServicePolicies;

/**
 * Layout and format of policy files: {@code <policies>/<env>/<env>_<type>.json}, each a Ranger
 * {@link ServicePolicies} document (service name + policies) without the service definition, which
 * always comes from Ranger's jar so a file cannot redefine what a resource or access type means.
 */
public final class PolicyFiles {
    private PolicyFiles() {
    }

    public static Path environmentDir(Path policiesRoot, String environment) {
        return policiesRoot.resolve(environment);
    }

    public static Path file(Path policiesRoot, Environment env, RangerServiceType type) {
        return environmentDir(policiesRoot, env.name()).resolve(env.names().rangerService(type) + ".json");
    }

    public static Path expectedDecisions(Path policiesRoot, String environment) {
        return environmentDir(policiesRoot, environment).resolve("expected-decisions.csv");
    }

    /** Reads a policy file as written (no service definition attached). */
    public static ServicePolicies readRaw(Path file) {
        try {
            ServicePolicies sp = RangerJson.MAPPER.readValue(file.toFile(), ServicePolicies.class);
            if (sp.getPolicies() == null) {
                sp.setPolicies(new ArrayList<>());
            }
            return sp;
        } catch (JsonProcessingException e) {
            throw new PolicyFileException(file, "is not a Ranger ServicePolicies JSON document: "
                    + e.getOriginalMessage() + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy file " + file, e);
        }
    }

    /** Reads a policy file and attaches Ranger's service definition, ready for the engine. */
    public static ServicePolicies read(Path file, RangerServiceType type) {
        ServicePolicies sp = readRaw(file);
        sp.setServiceDef(ServiceDefinitions.load(type));
        return sp;
    }

    /** Writes atomically and durably ({@link DurableLocalFiles}) so a watching engine never reads half a file. */
    public static void write(Path file, ServicePolicies policies) {
        ServicePolicies copy = copyWithoutDefinition(policies);
        try {
            DurableLocalFiles.writeAtomically(file,
                    (RangerJson.MAPPER.writeValueAsString(copy) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write policy file " + file, e);
        }
    }

    public static String render(ServicePolicies policies) {
        try {
            return RangerJson.MAPPER.writeValueAsString(copyWithoutDefinition(policies)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render policies of " + policies.getServiceName(), e);
        }
    }

    private static ServicePolicies copyWithoutDefinition(ServicePolicies policies) {
        ServicePolicies copy = new ServicePolicies();
        copy.setServiceName(policies.getServiceName());
        copy.setPolicyVersion(policies.getPolicyVersion());
        List<RangerPolicy> list = policies.getPolicies() == null ? List.of() : policies.getPolicies();
        copy.setPolicies(new ArrayList<>(list));
        return copy;
    }
}
