package io.securelake.devstack.hdfs;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Group;
import io.securelake.envs.Person;
import io.securelake.envs.Role;
import io.securelake.envs.ServiceRole;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * An environment's HDFS namespace: the lake zones, audit and home directories with owners and POSIX
 * permissions that let each identity do exactly its job. Applying it twice changes nothing.
 */
public final class HdfsNamespace {
    static final String SUPERGROUP = "supergroup";

    /** One directory the namespace owns. */
    public record Directory(String path, String owner, String group, short mode) {
        public FsPermission permission() {
            return new FsPermission(mode);
        }
    }

    private final Environment env;

    public HdfsNamespace(Environment env) {
        this.env = env;
    }

    public List<Directory> directories() {
        EnvironmentNames n = env.names();
        String hdfs = EnvironmentNames.HDFS_SERVICE;
        String lakeWriter = EnvironmentNames.shortName(n.servicePrincipal(ServiceRole.LAKE_WRITER));
        String etl = EnvironmentNames.shortName(n.servicePrincipal(ServiceRole.ETL));
        String analysts = groupWithRole(Role.ANALYST);
        String auditors = groupWithRole(Role.AUDITOR);
        List<Directory> dirs = new ArrayList<>();
        dirs.add(new Directory("/lake", hdfs, SUPERGROUP, (short) 0755));
        dirs.add(new Directory(n.lakeRoot(), hdfs, SUPERGROUP, (short) 0755));
        // Raw: written by the lake-writer, read by ETL (its own group), nobody else.
        dirs.add(new Directory(n.rawZone(), lakeWriter, etl, (short) 0750));
        dirs.add(new Directory(n.quarantineZone(), lakeWriter, lakeWriter, (short) 0700));
        dirs.add(new Directory(n.curatedZone(), etl, analysts, (short) 0750));
        for (Dataset d : env.datasets()) {
            dirs.add(new Directory(n.rawPath(d), lakeWriter, etl, (short) 0750));
            dirs.add(new Directory(n.quarantinePath(d), lakeWriter, lakeWriter, (short) 0700));
            dirs.add(new Directory(n.curatedPath(d), etl, analysts, (short) 0750));
        }
        dirs.add(new Directory("/audit", hdfs, SUPERGROUP, (short) 0755));
        dirs.add(new Directory(n.auditPath(), hdfs, auditors, (short) 0750));
        dirs.add(new Directory("/user", hdfs, SUPERGROUP, (short) 0755));
        for (Person p : env.people()) {
            String user = n.personPrincipal(p);
            dirs.add(new Directory(n.userHome(user), user, user, (short) 0700));
        }
        return dirs;
    }

    private String groupWithRole(Role role) {
        return env.groups().stream().filter(g -> g.role() == role).map(Group::name).findFirst().orElse(SUPERGROUP);
    }

    /** Creates or corrects every directory; {@code fs} must act as the HDFS superuser. */
    public void apply(FileSystem fs) throws IOException {
        for (Directory d : directories()) {
            Path path = new Path(d.path());
            if (!fs.exists(path)) {
                fs.mkdirs(path);
            }
            fs.setOwner(path, d.owner(), d.group());
            fs.setPermission(path, d.permission());
        }
    }
}
