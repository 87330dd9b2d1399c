package io.securelake.policies.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Environment;
import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.Finding;
import io.securelake.policies.api.Finding.Kind;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.util.ServicePolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

    private static List<Environment> others(String name) {
        return ShippedEnvironments.catalog().loadAll().stream().filter(e -> !e.name().equals(name)).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "sit", "prod"})
    void committedPoliciesAreClean(String name) {
        List<Finding> findings = new PolicyValidator(ShippedEnvironments.load(name), others(name)).validate(ShippedEnvironments.policiesDir());
        assertThat(findings).as(findings.toString()).isEmpty();
    }

    @Test
    void eachKindOfProblemIsReportedWithFileAndPolicyName(@TempDir Path tmp) throws Exception {
        Environment dev = ShippedEnvironments.load("dev");
        Environment sit = ShippedEnvironments.load("sit");
        for (RangerServiceType t : RangerServiceType.values()) {
            Path target = PolicyFiles.file(tmp, dev, t);
            Files.createDirectories(target.getParent());
            Files.copy(PolicyFiles.file(ShippedEnvironments.policiesDir(), dev, t), target);
        }
        Path kafka = PolicyFiles.file(tmp, dev, RangerServiceType.KAFKA);
        ServicePolicies sp = PolicyFiles.readRaw(kafka);
        List<RangerPolicy> ps = new ArrayList<>(sp.getPolicies());
        RangerPolicy base = ps.get(0);

        RangerPolicy broad = copy(base, 100, "everyone-everything");
        broad.getResources().get("topic").setValues(List.of("*"));
        broad.getPolicyItems().get(0).setUsers(List.of());
        broad.getPolicyItems().get(0).setGroups(List.of("public"));
        ps.add(broad);

        RangerPolicy cross = copy(base, 101, "sit-topic");
        cross.getResources().get("topic").setValues(List.of(sit.names().rawTopic(sit.datasets().get(0))));
        cross.getPolicyItems().get(0).setUsers(List.of(sit.names().servicePrincipal(io.securelake.envs.ServiceRole.INGEST)));
        ps.add(cross);

        RangerPolicy unknown = copy(base, 102, "typos");
        unknown.getResources().put("topics", unknown.getResources().remove("topic"));
        unknown.getPolicyItems().get(0).setUsers(List.of("eve"));
        unknown.getPolicyItems().get(0).setGroups(List.of("data-scientists"));
        unknown.getPolicyItems().get(0).getAccesses().get(0).setType("produce");
        ps.add(unknown);

        ps.add(copy(base, 103, "again")); // same grants on same topics: shadowed by policy 1

        RangerPolicy deny = copy(base, 104, "deny-ingest");
        deny.setPolicyItems(List.of());
        deny.setDenyPolicyItems(List.of(base.getPolicyItems().get(0)));
        ps.add(deny);

        sp.setPolicies(ps);
        PolicyFiles.write(kafka, sp);
        Files.writeString(PolicyFiles.file(tmp, dev, RangerServiceType.KNOX), "{ \"serviceName\": ");

        List<Finding> findings = new PolicyValidator(dev, others("dev")).validate(tmp);
        assertThat(findings).anySatisfy(f -> is(f, Kind.OVER_BROAD, kafka, "everyone-everything"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.CROSS_ENVIRONMENT, kafka, "sit-topic"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.UNKNOWN_RESOURCE, kafka, "typos"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.UNKNOWN_USER, kafka, "typos"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.UNKNOWN_GROUP, kafka, "typos"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.UNKNOWN_ACCESS_TYPE, kafka, "typos"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.SHADOWED, kafka, "again"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.CONTRADICTORY, kafka, "deny-ingest"));
        assertThat(findings).anySatisfy(f -> is(f, Kind.SCHEMA, PolicyFiles.file(tmp, dev, RangerServiceType.KNOX), "-"));
        assertThat(findings.stream().filter(f -> f.policy().equals("sit-topic")).findFirst().orElseThrow().toString())
                .contains("belongs to environment sit");
    }

    private static void is(Finding f, Kind kind, Path file, String policy) {
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.file()).isEqualTo(file);
        assertThat(f.policy()).isEqualTo(policy);
    }

    private static RangerPolicy copy(RangerPolicy p, long id, String name) {
        try {
            var m = io.securelake.policies.engine.RangerJson.MAPPER;
            RangerPolicy c = m.readValue(m.writeValueAsString(p), RangerPolicy.class);
            c.setId(id);
            c.setName(name);
            return c;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
