package io.securelake.policies.hdfs;

import io.securelake.envs.RangerServiceType;
import io.securelake.policies.api.AccessDecision;
import io.securelake.policies.api.AccessRequest;
import io.securelake.policies.engine.PolicyStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.hdfs.server.namenode.INode;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributeProvider.AccessControlEnforcer;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributeProvider.AuthorizationContext;
import org.apache.hadoop.hdfs.server.namenode.INodeAttributes;
import org.apache.hadoop.ipc.Server;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.security.UserGroupInformation;

/**
 * The NameNode's permission check answered by Ranger (hdfs service definition): traversal needs
 * {@code execute} on each existing directory above the target, then the ancestor, parent, target and
 * sub-tree accesses HDFS asks for are each a Ranger decision ({@code read}/{@code write}/{@code execute}).
 * The HDFS superuser (NameNode owner or supergroup) passes, audited. Where policies do not allow, POSIX
 * permissions decide only if the fallback is enabled; otherwise the request is refused with a message
 * naming user, path and action (never the policies).
 */
public final class RangerAccessControlEnforcer implements AccessControlEnforcer {
    private final PolicyStore store;
    private final AccessControlEnforcer posix;
    private final boolean posixFallback;

    public RangerAccessControlEnforcer(PolicyStore store, AccessControlEnforcer posix, boolean posixFallback) {
        this.store = store;
        this.posix = posix;
        this.posixFallback = posixFallback;
    }

    @Override
    public void checkPermission(String fsOwner, String supergroup, UserGroupInformation ugi, INodeAttributes[] inodeAttrs,
                                INode[] inodes, byte[][] pathByNameArr, int snapshotId, String path, int ancestorIndex,
                                boolean doCheckOwner, FsAction ancestorAccess, FsAction parentAccess, FsAction access,
                                FsAction subAccess, boolean ignoreEmptyDir) throws AccessControlException {
        List<String> paths = prefixes(pathByNameArr);
        List<String> traversed = new ArrayList<>();
        for (int i = 0; i < inodes.length - 1 && i < paths.size(); i++) {
            if (inodes[i] != null) {
                traversed.add(paths.get(i));
            }
        }
        int last = inodes.length - 1;
        String target = last < paths.size() ? paths.get(last) : path;
        boolean targetExists = last >= 0 && inodes[last] != null;
        String parent = last >= 1 && inodes[last - 1] != null ? paths.get(last - 1) : null;
        String ancestor = ancestorIndex >= 0 && ancestorIndex < paths.size() ? paths.get(ancestorIndex) : null;
        String owner = doCheckOwner && targetExists && inodeAttrs[last] != null ? inodeAttrs[last].getUserName() : null;
        HdfsCheck check = new HdfsCheck(ugi.getShortUserName(), Set.of(ugi.getGroupNames()), clientAddress(), fsOwner,
                supergroup, target, traversed, ancestor, ancestorAccess, parent, parentAccess,
                targetExists ? access : null, targetExists ? subAccess : null, doCheckOwner && targetExists, owner, null);
        Refusal refusal = authorize(check);
        if (refusal == null) {
            return;
        }
        if (posixFallback) {
            // POSIX decides what policies do not allow (as Ranger's HDFS plugin does when configured to).
            AccessRequest req = request(check, refusal.path(), refusal.action(), "posix");
            try {
                posix.checkPermission(fsOwner, supergroup, ugi, inodeAttrs, inodes, pathByNameArr, snapshotId, path,
                        ancestorIndex, doCheckOwner, ancestorAccess, parentAccess, access, subAccess, ignoreEmptyDir);
                store.recordExternal(req, AccessDecision.allowed(null, "allowed by POSIX permissions (fallback)"));
                return;
            } catch (AccessControlException e) {
                store.recordExternal(req, AccessDecision.denied(null, "denied by policies and by POSIX permissions"));
                throw refusal.exception();
            }
        }
        throw refusal.exception();
    }

    @Override
    public void checkSuperUserPermissionWithContext(AuthorizationContext ctx) throws AccessControlException {
        UserGroupInformation ugi = ctx.getCallerUgi();
        HdfsCheck check = new HdfsCheck(ugi.getShortUserName(), Set.of(ugi.getGroupNames()), clientAddress(),
                ctx.getFsOwner(), ctx.getSupergroup(), "/", List.of(), null, null, null, null, null, null, false, null,
                ctx.getOperationName());
        AccessRequest req = request(check, "/", "superuser", ctx.getOperationName());
        if (isSuperUser(check)) {
            store.recordExternal(req, AccessDecision.allowed(null, "HDFS superuser"));
            return;
        }
        store.recordExternal(req, AccessDecision.denied(null, "not the HDFS superuser"));
        throw new AccessControlException("Access denied for user " + check.user() + ". Superuser privilege is required"
                + (ctx.getOperationName() == null ? "" : " for " + ctx.getOperationName()));
    }

    /** A refusal: which access on which path. */
    record Refusal(String path, String action, String user) {
        AccessControlException exception() {
            return new AccessControlException("Permission denied: user=" + user + ", access=" + action.toUpperCase()
                    + ", path=\"" + path + "\" (not granted by the environment's HDFS policies)");
        }
    }

    /** The decision function: null when allowed, else the first refused access. Every decision is audited. */
    Refusal authorize(HdfsCheck c) {
        if (isSuperUser(c)) {
            store.recordExternal(request(c, c.path(), anyAccess(c), c.operation()), AccessDecision.allowed(null, "HDFS superuser"));
            return null;
        }
        for (String dir : c.traversed()) {
            if (!allowed(c, dir, "execute")) {
                return new Refusal(dir, "execute", c.user());
            }
        }
        List<Object[]> steps = new ArrayList<>();
        if (c.ancestorAccess() != null && c.ancestorPath() != null) {
            steps.add(new Object[]{c.ancestorPath(), c.ancestorAccess()});
        }
        if (c.parentAccess() != null && c.parentPath() != null) {
            steps.add(new Object[]{c.parentPath(), c.parentAccess()});
        }
        if (c.access() != null) {
            steps.add(new Object[]{c.path(), c.access()});
        }
        if (c.subAccess() != null) {
            // Recursive policies cover the sub-tree; a deny inside it is found when its own path is accessed.
            steps.add(new Object[]{c.path(), c.subAccess()});
        }
        for (Object[] step : steps) {
            for (String a : accessTypes((FsAction) step[1])) {
                if (!allowed(c, (String) step[0], a)) {
                    return new Refusal((String) step[0], a, c.user());
                }
            }
        }
        if (c.checkOwner() && !c.user().equals(c.owner())) {
            store.recordExternal(request(c, c.path(), "owner", c.operation()), AccessDecision.denied(null, "not the owner"));
            return new Refusal(c.path(), "owner", c.user());
        }
        return null;
    }

    private boolean allowed(HdfsCheck c, String path, String access) {
        return store.decide(request(c, path, access, c.operation())).allowed();
    }

    private boolean isSuperUser(HdfsCheck c) {
        return c.user().equals(c.fsOwner()) || (c.supergroup() != null && c.groups().contains(c.supergroup()));
    }

    private static String anyAccess(HdfsCheck c) {
        FsAction a = c.access() != null ? c.access() : c.parentAccess() != null ? c.parentAccess()
                : c.ancestorAccess() != null ? c.ancestorAccess() : FsAction.EXECUTE;
        return String.join(",", accessTypes(a).isEmpty() ? List.of("execute") : accessTypes(a));
    }

    private static AccessRequest request(HdfsCheck c, String path, String access, String operation) {
        return new AccessRequest(RangerServiceType.HDFS, c.user(), c.groups(), Map.of("path", path), access,
                c.clientAddress(), operation == null ? "" : operation);
    }

    static List<String> accessTypes(FsAction a) {
        List<String> out = new ArrayList<>(3);
        if (a.implies(FsAction.READ)) {
            out.add("read");
        }
        if (a.implies(FsAction.WRITE)) {
            out.add("write");
        }
        if (a.implies(FsAction.EXECUTE)) {
            out.add("execute");
        }
        return out;
    }

    /** "/", "/lake", "/lake/dev", … for the path components HDFS resolved. */
    static List<String> prefixes(byte[][] components) {
        List<String> out = new ArrayList<>(components.length);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < components.length; i++) {
            if (i == 0) {
                out.add("/");
                continue;
            }
            sb.append('/').append(new String(components[i], StandardCharsets.UTF_8));
            out.add(sb.toString());
        }
        return out;
    }

    private static String clientAddress() {
        var addr = Server.getRemoteIp();
        return addr == null ? null : addr.getHostAddress();
    }
}
