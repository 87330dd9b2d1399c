package io.securelake.policies.hdfs;

import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.permission.FsAction;

/**
 * One NameNode permission check in plain terms (what {@code FSPermissionChecker} hands an enforcer).
 *
 * @param traversed existing directories above the target that the caller must traverse
 * @param owner     owner of the target inode when an owner check is asked for, else null
 */
public record HdfsCheck(String user, Set<String> groups, String clientAddress, String fsOwner, String supergroup,
                        String path, List<String> traversed, String ancestorPath, FsAction ancestorAccess,
                        String parentPath, FsAction parentAccess, FsAction access, FsAction subAccess,
                        boolean checkOwner, String owner, String operation) {
    public HdfsCheck {
        groups = Set.copyOf(groups);
        traversed = List.copyOf(traversed);
    }
}
