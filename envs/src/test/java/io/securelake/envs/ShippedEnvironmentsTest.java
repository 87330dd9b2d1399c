package io.securelake.envs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The definitions shipped in envs/ load, and their namespaces never overlap. */
class ShippedEnvironmentsTest {
    static final Path ENVS = Path.of(System.getProperty("securelake.envs.dir", ".")).toAbsolutePath();

    @Test
    void allShippedEnvironmentsLoad() {
        EnvironmentCatalog catalog = EnvironmentCatalog.of(ENVS);
        assertThat(catalog.names()).containsExactly("dev", "prod", "sit");
        List<Environment> all = catalog.loadAll();
        assertThat(all).extracting(Environment::realm)
                .containsExactly("DEV.SECURELAKE.LOCAL", "PROD.SECURELAKE.LOCAL", "SIT.SECURELAKE.LOCAL");
        for (Environment env : all) {
            assertThat(env.services()).extracting(ServiceIdentity::role).containsExactlyInAnyOrder(ServiceRole.values());
            assertThat(env.dataset("payments")).isPresent();
            assertThat(env.kerberos().embedded()).isTrue();
        }
    }

    @Test
    void onlyDevIsTheDevelopmentEnvironment() {
        List<Environment> all = EnvironmentCatalog.of(ENVS).loadAll();
        assertThat(all).filteredOn(Environment::isDevelopment).extracting(Environment::name).containsExactly("dev");
        // Fail closed: a name that merely resembles dev is not dev.
        assertThat(Environment.isDevelopment("dev2")).isFalse();
        assertThat(Environment.isDevelopment("DEV")).isFalse();
    }

    @Test
    void namespacesOfEnvironmentsAreDisjoint() {
        EnvironmentCatalog catalog = EnvironmentCatalog.of(ENVS);
        Set<String> seen = new HashSet<>();
        for (Environment env : catalog.loadAll()) {
            EnvironmentNames n = env.names();
            for (Dataset d : env.datasets()) {
                for (String name : List.of(n.rawTopic(d), n.deadLetterTopic(d), n.rawPath(d), n.curatedPath(d),
                        n.quarantinePath(d), n.hiveDatabase(d), n.keyEncryptionKey(d))) {
                    assertThat(seen.add(name)).as("%s is unique across environments", name).isTrue();
                }
            }
            for (ServiceIdentity s : env.services()) {
                assertThat(seen.add(s.principal())).as("principal %s unique", s.principal()).isTrue();
            }
            for (RangerServiceType t : RangerServiceType.values()) {
                assertThat(seen.add(n.rangerService(t))).isTrue();
            }
            assertThat(seen.add(n.auditPath())).isTrue();
        }
    }
}
