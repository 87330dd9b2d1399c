package io.securelake.knox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.securelake.envs.Environment;
import io.securelake.testsupport.ShippedEnvironments;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.directory.api.ldap.model.entry.Attribute;
import org.apache.directory.api.ldap.model.ldif.LdifEntry;
import org.apache.directory.api.ldap.model.ldif.LdifReader;
import org.apache.directory.api.ldap.model.password.PasswordUtil;
import org.junit.jupiter.api.Test;

class DirectoryLayoutTest {
    private static final Environment DEV = ShippedEnvironments.load("dev");
    private static final DirectoryLayout DIR = new DirectoryLayout("dev");

    private static Map<String, String> passwords() {
        Map<String, String> m = new LinkedHashMap<>();
        DEV.people().forEach(p -> m.put(p.name(), "pw-of-" + p.name() + "-Secret1"));
        return m;
    }

    private static Map<String, LdifEntry> entries(String ldif) throws Exception {
        Map<String, LdifEntry> out = new LinkedHashMap<>();
        try (LdifReader r = new LdifReader()) {
            for (LdifEntry e : r.parseLdif(ldif)) {
                out.put(e.getDn().getName(), e);
            }
        }
        return out;
    }

    private static List<String> values(LdifEntry e, String attribute) throws Exception {
        List<String> v = new ArrayList<>();
        Attribute a = e.get(attribute);
        if (a != null) {
            a.forEach(x -> v.add(x.getString()));
        }
        return v;
    }

    @Test
    void namesFollowTheEnvironment() {
        assertThat(DIR.baseDn()).isEqualTo("dc=dev,dc=securelake,dc=local");
        assertThat(DIR.userDn("alice")).isEqualTo("uid=alice,ou=people,dc=dev,dc=securelake,dc=local");
        assertThat(DIR.groupDn("analysts")).isEqualTo("cn=analysts,ou=groups,dc=dev,dc=securelake,dc=local");
        assertThat(DIR.userDnTemplate()).isEqualTo("uid={0},ou=people,dc=dev,dc=securelake,dc=local");
    }

    @Test
    void everyPersonIsAUserWithAHashedPassword() throws Exception {
        Map<String, String> pw = passwords();
        String ldif = DIR.ldif(DEV, pw);
        pw.values().forEach(p -> assertThat(ldif).doesNotContain(p));
        Map<String, LdifEntry> e = entries(ldif);
        assertThat(e).containsKeys(DIR.baseDn(), DIR.peopleDn(), DIR.groupsDn());
        for (var person : DEV.people()) {
            LdifEntry u = e.get(DIR.userDn(person.name()));
            assertThat(u).as(person.name()).isNotNull();
            assertThat(values(u, "objectClass")).contains("inetOrgPerson");
            assertThat(values(u, "uid")).containsExactly(person.name());
            byte[] stored = u.get("userPassword").getBytes();
            assertThat(new String(stored, java.nio.charset.StandardCharsets.UTF_8)).startsWith("{SSHA256}");
            assertThat(PasswordUtil.compareCredentials(pw.get(person.name()).getBytes(), stored)).isTrue();
            assertThat(PasswordUtil.compareCredentials("wrong".getBytes(), stored)).isFalse();
        }
    }

    @Test
    void groupsListTheirMembers() throws Exception {
        Map<String, LdifEntry> e = entries(DIR.ldif(DEV, passwords()));
        assertThat(values(e.get(DIR.groupDn("analysts")), "member"))
                .containsExactlyInAnyOrder(DIR.userDn("alice"), DIR.userDn("bob"));
        assertThat(values(e.get(DIR.groupDn("admins")), "member")).containsExactly(DIR.userDn("carol"));
        assertThat(values(e.get(DIR.groupDn("auditors")), "member")).containsExactly(DIR.userDn("dave"));
        assertThat(values(e.get(DIR.groupDn("analysts")), "objectClass")).contains("groupOfNames");
        // mallory is in no group
        e.values().stream().filter(x -> x.getDn().getName().endsWith(DIR.groupsDn()) && x.get("member") != null)
                .forEach(g -> {
                    try {
                        assertThat(values(g, "member")).doesNotContain(DIR.userDn("mallory"));
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                });
    }

    @Test
    void aPersonWithoutPasswordIsRefused() {
        Map<String, String> pw = passwords();
        pw.remove("bob");
        assertThatThrownBy(() -> DIR.ldif(DEV, pw)).hasMessageContaining("bob");
        assertThatThrownBy(() -> new DirectoryLayout("sit").ldif(DEV, passwords())).hasMessageContaining("dev");
    }
}
