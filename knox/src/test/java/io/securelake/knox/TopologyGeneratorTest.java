package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;

import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.util.Map;
import org.apache.knox.gateway.topology.Provider;
import org.apache.knox.gateway.topology.Service;
import org.apache.knox.gateway.topology.Topology;
import org.apache.knox.gateway.util.TopologyUtils;
import org.junit.jupiter.api.Test;

class TopologyGeneratorTest {
    private static final Environment DEV = ShippedEnvironments.load("dev");

    private static Topology parsed(Environment env, String hiveUrl, String webhdfsUrl) throws Exception {
        String xml = TopologyGenerator.topologyXml(new TopologyGenerator.Settings(env, "ldap://127.0.0.1:33389",
                hiveUrl, webhdfsUrl));
        return TopologyUtils.parse(xml); // Knox's own topology parser
    }

    @Test
    void topologyIsNamedAfterTheEnvironment() {
        assertThat(TopologyGenerator.topologyName(DEV)).isEqualTo("dev").isEqualTo(DEV.names().knoxTopology());
        assertThat(TopologyGenerator.topologyName(ShippedEnvironments.load("prod"))).isEqualTo("prod");
    }

    @Test
    void shiroAuthenticatesAgainstTheEnvironmentsDirectoryAndResolvesGroups() throws Exception {
        Topology t = parsed(DEV, "http://localhost:10001/cliservice", "https://localhost:9871/webhdfs");
        Provider shiro = t.getProvider("authentication", "ShiroProvider");
        assertThat(shiro).isNotNull();
        assertThat(shiro.isEnabled()).isTrue();
        Map<String, String> p = shiro.getParams();
        assertThat(p).containsEntry("main.ldapRealm", "org.apache.knox.gateway.shirorealm.KnoxLdapRealm")
                .containsEntry("main.ldapRealm.contextFactory.url", "ldap://127.0.0.1:33389")
                .containsEntry("main.ldapRealm.userDnTemplate", "uid={0},ou=people,dc=dev,dc=securelake,dc=local")
                .containsEntry("main.ldapRealm.memberAttributeValueTemplate",
                        "uid={0},ou=people,dc=dev,dc=securelake,dc=local")
                .containsEntry("main.ldapRealm.authorizationEnabled", "true")
                .containsEntry("main.ldapRealm.searchBase", "ou=groups,dc=dev,dc=securelake,dc=local")
                .containsEntry("main.ldapRealm.groupObjectClass", "groupOfNames")
                .containsEntry("main.ldapRealm.memberAttribute", "member")
                .containsEntry("urls./**", "authcBasic")
                // groups cached (one directory lookup per user, not per request); authentication never cached
                .containsEntry("main.securityManager.cacheManager", "$cacheManager")
                .containsEntry("main.ldapRealm.authorizationCachingEnabled", "true")
                .containsEntry("main.ldapRealm.authenticationCachingEnabled", "false");
        // the directory's system password is an alias in Knox's credential store, never a value in the file
        assertThat(p.get("main.ldapRealm.contextFactory.systemPassword"))
                .isEqualTo("${ALIAS=" + TopologyGenerator.LDAP_SYSTEM_PASSWORD_ALIAS + "}");
    }

    @Test
    void defaultIdentityAssertionAndRangerAuthorization() throws Exception {
        Topology t = parsed(DEV, "http://localhost:10001/cliservice", "https://localhost:9871/webhdfs");
        assertThat(t.getProvider("identity-assertion", "Default")).isNotNull();
        Provider authz = t.getProvider("authorization", SecurelakeRangerContributor.NAME);
        assertThat(authz).isNotNull();
        assertThat(authz.getParams()).containsEntry(SecurelakeRangerContributor.PARAM_ENVIRONMENT, "dev");
        assertThat(t.getProviders()).extracting(Provider::getRole)
                .containsExactlyInAnyOrder("authentication", "identity-assertion", "authorization");
    }

    @Test
    void servicesHiveAndWebhdfsPointAtTheBackends() throws Exception {
        Topology t = parsed(DEV, "http://localhost:10001/cliservice?a=1&b=2", "https://localhost:9871/webhdfs");
        assertThat(t.getServices()).extracting(Service::getRole).containsExactlyInAnyOrder("HIVE", "WEBHDFS");
        assertThat(t.getService("HIVE", null, null).getUrl()).isEqualTo("http://localhost:10001/cliservice?a=1&b=2");
        assertThat(t.getService("WEBHDFS", null, null).getUrl()).isEqualTo("https://localhost:9871/webhdfs");
        assertThat(t.getService("HIVE", null, null).getParams()).containsEntry("replayBufferSize", "64");
    }

    @Test
    void anotherEnvironmentGetsItsOwnDirectoryAndNothingOfDev() throws Exception {
        Environment prod = ShippedEnvironments.load("prod");
        String xml = TopologyGenerator.topologyXml(new TopologyGenerator.Settings(prod, "ldap://127.0.0.1:1",
                "http://h:1/cliservice", "https://h:2/webhdfs"));
        assertThat(xml).contains("dc=prod,dc=securelake,dc=local").doesNotContain("dc=dev");
        assertThat(TopologyUtils.parse(xml).getProvider("authorization", SecurelakeRangerContributor.NAME)
                .getParams()).containsEntry(SecurelakeRangerContributor.PARAM_ENVIRONMENT, "prod");
    }
}
