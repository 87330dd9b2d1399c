package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.naming.AuthenticationException;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.BasicAttribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.ModificationItem;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment's directory as the gateway starts it, and what people can(not) do with it. */
class EmbeddedLdapTest {
    private static final Environment DEV = ShippedEnvironments.load("dev");
    private static final DirectoryLayout DIR = new DirectoryLayout("dev");
    private static final String ADMIN_SECRET = "admin-" + PeoplePasswords.random();
    private static final Map<String, String> PW = new LinkedHashMap<>();
    @TempDir
    static Path dir;
    private static EmbeddedLdap ldap;

    @BeforeAll
    static void start() throws Exception {
        DEV.people().forEach(p -> PW.put(p.name(), PeoplePasswords.random()));
        Path ldif = dir.resolve("dev.ldif");
        Files.writeString(ldif, DIR.ldif(DEV, PW));
        // The test plays the process: ApacheDS' instance directory is a JVM-wide setting (GatewayMain's in the gateway).
        System.setProperty(EmbeddedLdap.WORKING_DIRECTORY_PROPERTY, dir.resolve("instance").toAbsolutePath().toString());
        ldap = EmbeddedLdap.start(DIR.baseDn(), ldif, dir.resolve("instance"), "127.0.0.1", 0, ADMIN_SECRET);
    }

    @AfterAll
    static void stop() {
        if (ldap != null) {
            ldap.close();
        }
        System.clearProperty(EmbeddedLdap.WORKING_DIRECTORY_PROPERTY);
    }

    @Test
    void theDirectoryRefusesToStartWhereTheProcessDidNotSetItsInstanceDirectory() throws Exception {
        Path elsewhere = dir.resolve("not-configured");
        assertThatThrownBy(() -> EmbeddedLdap.start(DIR.baseDn(), dir.resolve("dev.ldif"), elsewhere, "127.0.0.1", 0,
                ADMIN_SECRET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EmbeddedLdap.WORKING_DIRECTORY_PROPERTY)
                .hasMessageContaining("the process must set it to " + elsewhere.toAbsolutePath());
        assertThat(elsewhere).as("nothing was created where the process did not say").doesNotExist();
    }

    private static DirContext bind(String dn, String password) throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, "ldap://127.0.0.1:" + ldap.port());
        if (dn == null) {
            env.put(Context.SECURITY_AUTHENTICATION, "none");
        } else {
            env.put(Context.SECURITY_AUTHENTICATION, "simple");
            env.put(Context.SECURITY_PRINCIPAL, dn);
            env.put(Context.SECURITY_CREDENTIALS, password);
        }
        return new InitialDirContext(env);
    }

    private static List<String> search(DirContext ctx, String base, String filter) throws NamingException {
        SearchControls sc = new SearchControls();
        sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
        List<String> out = new ArrayList<>();
        NamingEnumeration<SearchResult> r = ctx.search(base, filter, sc);
        while (r.hasMore()) {
            out.add(r.next().getNameInNamespace());
        }
        return out;
    }

    @Test
    void peopleBindWithTheirPasswordOnly() throws Exception {
        bind(DIR.userDn("alice"), PW.get("alice")).close();
        assertThatThrownBy(() -> bind(DIR.userDn("alice"), PW.get("bob"))).isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(() -> bind(DIR.userDn("nobody"), "x")).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void theGatewayResolvesGroupsAsTheAdmin() throws Exception {
        DirContext admin = bind(EmbeddedLdap.ADMIN_DN, ADMIN_SECRET);
        assertThat(search(admin, DIR.groupsDn(), "(&(objectClass=groupOfNames)(member=" + DIR.userDn("alice") + "))"))
                .containsExactly(DIR.groupDn("analysts"));
        assertThat(search(admin, DIR.groupsDn(), "(member=" + DIR.userDn("mallory") + ")")).isEmpty();
        admin.close();
    }

    @Test
    void theDemoAdminPasswordIsGone() {
        assertThatThrownBy(() -> bind(EmbeddedLdap.ADMIN_DN, "secret")).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void noOneAddsHimselfToAGroup() throws Exception {
        DirContext mallory = bind(DIR.userDn("mallory"), PW.get("mallory"));
        ModificationItem add = new ModificationItem(DirContext.ADD_ATTRIBUTE,
                new BasicAttribute("member", DIR.userDn("mallory")));
        assertThatThrownBy(() -> mallory.modifyAttributes(DIR.groupDn("admins"), new ModificationItem[]{add}))
                .isInstanceOf(javax.naming.NoPermissionException.class)
                .hasMessageStartingWith("[LDAP: error code 50 - INSUFFICIENT_ACCESS_RIGHTS");
        mallory.close();
        DirContext admin = bind(EmbeddedLdap.ADMIN_DN, ADMIN_SECRET);
        assertThat(search(admin, DIR.groupsDn(), "(member=" + DIR.userDn("mallory") + ")")).isEmpty();
        admin.close();
    }

    @Test
    void peopleAndAnonymousReadNothing() throws Exception {
        DirContext alice = bind(DIR.userDn("alice"), PW.get("alice"));
        List<String> seen;
        try {
            seen = search(alice, DIR.baseDn(), "(objectClass=*)");
        } catch (NamingException e) {
            seen = List.of();
        }
        assertThat(seen).isEmpty();
        alice.close();
        // Anonymous binds are refused outright, so an anonymous search never starts.
        assertThatThrownBy(() -> search(bind(null, null), DIR.baseDn(), "(objectClass=*)"))
                .isInstanceOf(AuthenticationException.class).hasMessageStartingWith("[LDAP: error code 49 - INVALID_CREDENTIALS");
    }
}
