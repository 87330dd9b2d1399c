package io.securelake.knox;

import io.securelake.envs.Environment;
import io.securelake.envs.Group;
import io.securelake.envs.Person;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.naming.ldap.Rdn;
import org.apache.directory.api.ldap.model.constants.LdapSecurityConstants;
import org.apache.directory.api.ldap.model.password.PasswordUtil;

/**
 * The LDAP directory of one environment, derived from its definition: base {@code dc=<env>,dc=securelake,dc=local},
 * people {@code uid=<name>,ou=people,<base>} (inetOrgPerson, salted SHA-256 password), groups
 * {@code cn=<group>,ou=groups,<base>} (groupOfNames, one {@code member} per person in the group).
 */
public final class DirectoryLayout {
    private final String environment;
    private final String baseDn;

    public DirectoryLayout(String environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.baseDn = "dc=" + Rdn.escapeValue(environment) + ",dc=securelake,dc=local";
    }

    public String baseDn() {
        return baseDn;
    }

    public String peopleDn() {
        return "ou=people," + baseDn;
    }

    public String groupsDn() {
        return "ou=groups," + baseDn;
    }

    public String userDn(String person) {
        return "uid=" + Rdn.escapeValue(person) + "," + peopleDn();
    }

    public String groupDn(String group) {
        return "cn=" + Rdn.escapeValue(group) + "," + groupsDn();
    }

    /** Shiro's {@code userDnTemplate} and {@code memberAttributeValueTemplate}: the same DN with {@code {0}}. */
    public String userDnTemplate() {
        return "uid={0}," + peopleDn();
    }

    /**
     * The LDIF of the environment's directory. Passwords are stored salted and hashed ({@code {SSHA256}}), so the
     * LDIF file on disk never holds a clear-text password.
     *
     * @param passwords person → clear-text password; every person of the environment needs one
     */
    public String ldif(Environment env, Map<String, String> passwords) {
        Map<String, byte[]> stored = new LinkedHashMap<>();
        for (Person p : env.people()) {
            String pw = passwords.get(p.name());
            if (pw == null || pw.isEmpty()) {
                throw new IllegalArgumentException("no password for person '" + p.name() + "'");
            }
            stored.put(p.name(), hashed(pw));
        }
        return ldifWithStoredPasswords(env, stored);
    }

    /**
     * The same LDIF from passwords already salted and hashed (RFC 2307 storage form such as {@code {SSHA256}…}),
     * so that the gateway never holds a clear-text password: the platform hashes them and keeps the clear ones.
     *
     * @param stored person → stored password bytes; every person of the environment needs one
     */
    public String ldifWithStoredPasswords(Environment env, Map<String, byte[]> stored) {
        if (!env.name().equals(environment)) {
            throw new IllegalArgumentException("directory of " + environment + " asked for environment " + env.name());
        }
        StringBuilder out = new StringBuilder("version: 1\n\n");
        entry(out, baseDn, Map.of("objectClass", List.of("top", "domain"), "dc", List.of(environment)));
        entry(out, peopleDn(), Map.of("objectClass", List.of("top", "organizationalUnit"), "ou", List.of("people")));
        entry(out, groupsDn(), Map.of("objectClass", List.of("top", "organizationalUnit"), "ou", List.of("groups")));
        for (Person p : env.people()) {
            byte[] pw = stored.get(p.name());
            if (pw == null || pw.length == 0 || pw[0] != '{') {
                throw new IllegalArgumentException("no stored (hashed) password for person '" + p.name() + "'");
            }
            Map<String, List<String>> a = new LinkedHashMap<>();
            a.put("objectClass", List.of("top", "person", "organizationalPerson", "inetOrgPerson"));
            a.put("uid", List.of(p.name()));
            a.put("cn", List.of(p.name()));
            a.put("sn", List.of(p.name()));
            entry(out, userDn(p.name()), a);
            // binary (base64) value, appended to the entry just written
            out.setLength(out.length() - 1);
            out.append("userPassword:: ").append(Base64.getEncoder().encodeToString(pw)).append("\n\n");
        }
        for (Group g : env.groups()) {
            List<String> members = new ArrayList<>();
            for (Person p : env.people()) {
                if (p.groups().contains(g.name())) {
                    members.add(userDn(p.name()));
                }
            }
            if (members.isEmpty()) {
                // groupOfNames requires a member; the base entry is no person, so nobody inherits the group
                members.add(baseDn);
            }
            Map<String, List<String>> a = new LinkedHashMap<>();
            a.put("objectClass", List.of("top", "groupOfNames"));
            a.put("cn", List.of(g.name()));
            a.put("description", List.of("securelake " + environment + " group, role " + g.role()));
            a.put("member", members);
            entry(out, groupDn(g.name()), a);
        }
        return out.toString();
    }

    static byte[] hashed(String password) {
        return PasswordUtil.createStoragePassword(password, LdapSecurityConstants.HASH_METHOD_SSHA256);
    }

    private static void entry(StringBuilder out, String dn, Map<String, List<String>> attributes) {
        out.append("dn: ").append(dn).append('\n');
        for (Map.Entry<String, List<String>> e : attributes.entrySet()) {
            for (String v : e.getValue()) {
                out.append(e.getKey()).append(": ").append(v).append('\n');
            }
        }
        out.append('\n');
    }
}
