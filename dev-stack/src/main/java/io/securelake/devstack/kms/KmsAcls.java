package io.securelake.devstack.kms;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Group;
import io.securelake.envs.Role;
import io.securelake.envs.ServiceRole;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Hadoop KMS access control for one environment, derived from its definition (kms-acls.xml). Each
 * environment has its own KMS, so none of its keys exists in another. Values use Hadoop's ACL format:
 * {@code "user1,user2 group1,group2"}; a single space means nobody.
 */
public final class KmsAcls {
    static final String NOBODY = " ";

    private KmsAcls() {
    }

    /** The infrastructure identity that provisions keys; like Hadoop's own practice it may never decrypt. */
    public static String provisioner() {
        return EnvironmentNames.HDFS_SERVICE;
    }

    public static Map<String, String> forEnvironment(Environment env) {
        EnvironmentNames n = env.names();
        String ingest = EnvironmentNames.shortName(n.servicePrincipal(ServiceRole.INGEST));
        String etl = EnvironmentNames.shortName(n.servicePrincipal(ServiceRole.ETL));
        String admins = env.groups().stream().filter(g -> g.role() == Role.ADMIN).map(Group::name)
                .collect(Collectors.joining(","));
        String adminsAndProvisioner = provisioner() + " " + admins;

        Map<String, String> acls = new LinkedHashMap<>();
        // Who may call each operation at all.
        acls.put("hadoop.kms.acl.CREATE", adminsAndProvisioner);
        acls.put("hadoop.kms.acl.DELETE", " " + admins);
        acls.put("hadoop.kms.acl.ROLLOVER", " " + admins);
        acls.put("hadoop.kms.acl.GET", NOBODY); // raw key material never leaves the KMS
        acls.put("hadoop.kms.acl.SET_KEY_MATERIAL", NOBODY);
        acls.put("hadoop.kms.acl.GET_KEYS", adminsAndProvisioner);
        acls.put("hadoop.kms.acl.GET_METADATA", String.join(",", provisioner(), ingest, etl) + " " + admins);
        // Admins re-wrap stored DEKs after a roll: the KMS checks GENERATE_EEK for re-encryption. That
        // yields only wrapped keys; DECRYPT_EEK (clear DEKs) stays with the services.
        acls.put("hadoop.kms.acl.GENERATE_EEK", ingest + " " + admins);
        acls.put("hadoop.kms.acl.DECRYPT_EEK", ingest + "," + etl);
        acls.put("hadoop.kms.blacklist.DECRYPT_EEK", provisioner());
        acls.put("hadoop.kms.blacklist.GENERATE_EEK", provisioner());

        // Per key: the dataset keys of this environment, and the same rules for its other keys
        // (e.g. per-subject keys for crypto-shredding).
        Map<String, String> keyRules = keyRules(ingest, etl, admins);
        for (Dataset d : env.datasets()) {
            keyRules.forEach((op, who) -> acls.put("key.acl." + n.keyEncryptionKey(d) + "." + op, who));
        }
        keyRules.forEach((op, who) -> acls.put("default.key.acl." + op, who));
        return acls;
    }

    private static Map<String, String> keyRules(String ingest, String etl, String admins) {
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("MANAGEMENT", provisioner() + " " + admins);
        rules.put("READ", String.join(",", List.of(provisioner(), ingest, etl)) + " " + admins);
        rules.put("GENERATE_EEK", ingest + " " + admins); // re-wrap, see above
        rules.put("DECRYPT_EEK", ingest + "," + etl);
        return rules;
    }
}
