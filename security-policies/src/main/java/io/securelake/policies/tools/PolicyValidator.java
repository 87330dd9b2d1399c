package io.securelake.policies.tools;

import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.Group;
import io.securelake.envs.Person;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceIdentity;
import io.securelake.policies.api.Finding;
import io.securelake.policies.api.Finding.Kind;
import io.securelake.policies.api.Finding.Severity;
import io.securelake.policies.engine.PolicyFileException;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.ServiceDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.ranger.plugin.model.RangerPolicy;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyItem;
import org.apache.ranger.plugin.model.RangerPolicy.RangerPolicyResource;
import org.apache.ranger.plugin.model.RangerServiceDef;
import org.apache.ranger.plugin.model.RangerServiceDef.RangerResourceDef;
import org.apache.ranger.plugin.util.ServicePolicies;

/**
 * {@code policy validate}: checks an environment's policy files against Ranger's service definitions
 * and the environment definition. Reports, with file and policy name: schema problems, unknown
 * resources and access types, users and groups the environment does not define, duplicate ids or
 * names, shadowed (redundant) and contradictory policies, over-broad grants ({@code *} to everyone),
 * and names that belong to another environment.
 */
public final class PolicyValidator {
    private static final Set<String> USER_MACROS = Set.of("{USER}", "{OWNER}");
    private static final String PUBLIC = "public";

    private final Environment env;
    private final List<Environment> others;
    private final Set<String> users = new HashSet<>();
    private final Set<String> groups = new HashSet<>();

    public PolicyValidator(Environment env, List<Environment> others) {
        this.env = env;
        this.others = List.copyOf(others);
        env.people().stream().map(Person::name).forEach(users::add);
        for (ServiceIdentity s : env.services()) {
            users.add(s.principal());
            groups.add(s.principal()); // every service principal is its own group
        }
        env.groups().stream().map(Group::name).forEach(groups::add);
        groups.add(PUBLIC);
    }

    public List<Finding> validate(Path policiesRoot) {
        List<Finding> out = new ArrayList<>();
        for (RangerServiceType type : RangerServiceType.values()) {
            Path file = PolicyFiles.file(policiesRoot, env, type);
            if (!Files.exists(file)) {
                out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, "-", "missing: every service of the environment needs a policy file (an empty one denies everything)"));
                continue;
            }
            ServicePolicies sp;
            try {
                sp = PolicyFiles.readRaw(file);
            } catch (PolicyFileException e) {
                out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, "-", e.getMessage()));
                continue;
            }
            validate(file, type, sp, out);
        }
        return out;
    }

    void validate(Path file, RangerServiceType type, ServicePolicies sp, List<Finding> out) {
        String service = env.names().rangerService(type);
        RangerServiceDef def = ServiceDefinitions.load(type);
        if (!service.equals(sp.getServiceName())) {
            out.add(new Finding(Severity.ERROR, Kind.WRONG_SERVICE, file, "-", "serviceName is '" + sp.getServiceName() + "', expected " + service));
        }
        Map<Long, String> ids = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (RangerPolicy p : sp.getPolicies()) {
            String name = p.getName() == null ? "(unnamed, id " + p.getId() + ")" : p.getName();
            if (p.getName() == null || p.getName().isBlank()) {
                out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, name, "policy has no name"));
            } else if (!names.add(p.getName())) {
                out.add(new Finding(Severity.ERROR, Kind.DUPLICATE, file, name, "two policies share this name"));
            }
            if (p.getId() == null) {
                out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, name, "policy has no id (decisions and audit name policies by id)"));
            } else if (ids.putIfAbsent(p.getId(), name) != null) {
                out.add(new Finding(Severity.ERROR, Kind.DUPLICATE, file, name, "id " + p.getId() + " is also used by " + ids.get(p.getId())));
            }
            if (p.getService() != null && !service.equals(p.getService())) {
                out.add(new Finding(Severity.ERROR, Kind.WRONG_SERVICE, file, name, "policy says service '" + p.getService() + "', file is " + service));
            }
            checkResources(file, type, def, p, name, out);
            checkItems(file, def, p, name, out);
            checkOverBroad(file, p, name, out);
            checkCrossEnvironment(file, p, name, out);
        }
        checkShadowedAndContradictory(file, sp.getPolicies(), out);
    }

    private void checkResources(Path file, RangerServiceType type, RangerServiceDef def, RangerPolicy p, String name, List<Finding> out) {
        int policyType = p.getPolicyType() == null ? RangerPolicy.POLICY_TYPE_ACCESS : p.getPolicyType();
        List<RangerResourceDef> defs = switch (policyType) {
            case RangerPolicy.POLICY_TYPE_DATAMASK -> def.getDataMaskDef() == null ? List.of() : def.getDataMaskDef().getResources();
            case RangerPolicy.POLICY_TYPE_ROWFILTER -> def.getRowFilterDef() == null ? List.of() : def.getRowFilterDef().getResources();
            default -> def.getResources();
        };
        if (policyType != RangerPolicy.POLICY_TYPE_ACCESS && (defs == null || defs.isEmpty())) {
            out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, name, "the " + type.serviceDefName()
                    + " service definition has no " + (policyType == 1 ? "data masking" : "row filtering")));
            return;
        }
        if (p.getResources() == null || p.getResources().isEmpty()) {
            out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, name, "policy names no resource"));
            return;
        }
        Map<String, RangerResourceDef> byName = new HashMap<>();
        defs.forEach(d -> byName.put(d.getName(), d));
        for (Map.Entry<String, RangerPolicyResource> e : p.getResources().entrySet()) {
            RangerResourceDef rd = byName.get(e.getKey());
            if (rd == null) {
                out.add(new Finding(Severity.ERROR, Kind.UNKNOWN_RESOURCE, file, name, "resource '" + e.getKey()
                        + "' is not defined by Ranger's " + type.serviceDefName() + " service definition " + byName.keySet()));
                continue;
            }
            if (rd.getParent() != null && !rd.getParent().isEmpty() && !p.getResources().containsKey(rd.getParent())) {
                out.add(new Finding(Severity.ERROR, Kind.UNKNOWN_RESOURCE, file, name, "resource '" + e.getKey()
                        + "' needs its parent '" + rd.getParent() + "'"));
            }
            if (e.getValue().getValues() == null || e.getValue().getValues().isEmpty()) {
                out.add(new Finding(Severity.ERROR, Kind.SCHEMA, file, name, "resource '" + e.getKey() + "' has no values"));
            }
        }
    }

    private void checkItems(Path file, RangerServiceDef def, RangerPolicy p, String name, List<Finding> out) {
        Set<String> accessTypes = new HashSet<>();
        def.getAccessTypes().forEach(a -> accessTypes.add(a.getName()));
        boolean any = false;
        for (RangerPolicyItem item : allItems(p)) {
            any = true;
            for (var a : item.getAccesses()) {
                if (!accessTypes.contains(a.getType())) {
                    out.add(new Finding(Severity.ERROR, Kind.UNKNOWN_ACCESS_TYPE, file, name, "access type '" + a.getType()
                            + "' is not defined by Ranger's " + def.getName() + " service definition " + new TreeSet<>(accessTypes)));
                }
            }
            for (String u : item.getUsers()) {
                if (!users.contains(u) && !USER_MACROS.contains(u) && !belongsToOther(u)) {
                    out.add(new Finding(Severity.ERROR, Kind.UNKNOWN_USER, file, name, "user '" + u + "' is not defined in environment "
                            + env.name() + " (" + env.source() + ")"));
                }
            }
            for (String g : item.getGroups()) {
                if (!groups.contains(g) && !belongsToOther(g)) {
                    out.add(new Finding(Severity.ERROR, Kind.UNKNOWN_GROUP, file, name, "group '" + g + "' is not defined in environment "
                            + env.name() + " (" + env.source() + ")"));
                }
            }
        }
        if (!any && p.getIsEnabled()) {
            out.add(new Finding(Severity.WARNING, Kind.SCHEMA, file, name, "policy grants and denies nothing"));
        }
    }

    private void checkOverBroad(Path file, RangerPolicy p, String name, List<Finding> out) {
        boolean wildcard = p.getResources() != null && p.getResources().values().stream().anyMatch(r -> r.getValues() != null
                && r.getValues().stream().anyMatch(v -> v.equals("*") || (v.equals("/") && Boolean.TRUE.equals(r.getIsRecursive()))));
        List<RangerPolicyItem> grants = new ArrayList<>();
        if (p.getPolicyItems() != null) {
            grants.addAll(p.getPolicyItems());
        }
        for (RangerPolicyItem item : grants) {
            boolean everyone = item.getGroups().contains(PUBLIC) || item.getUsers().contains("{USER}") && item.getGroups().isEmpty();
            if (everyone && wildcard) {
                out.add(new Finding(Severity.ERROR, Kind.OVER_BROAD, file, name, "grants " + accesses(item)
                        + " on '*' to everyone (" + PUBLIC + "): name the groups and resources that need it"));
            }
        }
    }

    private void checkCrossEnvironment(Path file, RangerPolicy p, String name, List<Finding> out) {
        List<String> strings = new ArrayList<>();
        if (p.getResources() != null) {
            p.getResources().values().forEach(r -> {
                if (r.getValues() != null) {
                    strings.addAll(r.getValues());
                }
            });
        }
        for (RangerPolicyItem item : allItems(p)) {
            strings.addAll(item.getUsers());
            strings.addAll(item.getGroups());
        }
        for (String s : strings) {
            for (Environment o : others) {
                if (names(o).stream().anyMatch(x -> matchesOther(s, x))) {
                    out.add(new Finding(Severity.ERROR, Kind.CROSS_ENVIRONMENT, file, name, "'" + s + "' belongs to environment "
                            + o.name() + ": a policy of " + env.name() + " may only name " + env.name() + "'s resources and principals"));
                }
            }
        }
    }

    private boolean belongsToOther(String s) {
        return others.stream().anyMatch(o -> names(o).stream().anyMatch(x -> matchesOther(s, x)));
    }

    /** Prefix-like names (topics, paths) match by prefix; the rest exactly. */
    private static boolean matchesOther(String value, String otherName) {
        if (otherName.endsWith(".") || otherName.startsWith("/")) {
            return value.startsWith(otherName) && (otherName.endsWith(".") || value.length() == otherName.length()
                    || value.charAt(otherName.length()) == '/');
        }
        return value.equals(otherName);
    }

    private static List<String> names(Environment o) {
        EnvironmentNames n = o.names();
        List<String> out = new ArrayList<>();
        out.add(n.topicPrefix());
        out.add(n.lakeRoot());
        out.add(n.auditPath());
        out.add(PolicyNames.auditHiveDatabase(n));
        o.datasets().forEach(d -> out.add(n.hiveDatabase(d)));
        o.services().forEach(s -> out.add(s.principal()));
        for (RangerServiceType t : RangerServiceType.values()) {
            out.add(n.rangerService(t));
        }
        out.add(n.knoxTopology());
        return out;
    }

    // --- shadowed / contradictory --------------------------------------------------------------

    private record Grant(String principal, String access) {
    }

    private void checkShadowedAndContradictory(Path file, List<RangerPolicy> policies, List<Finding> out) {
        Map<String, List<RangerPolicy>> byResources = new TreeMap<>();
        for (RangerPolicy p : policies) {
            if (!p.getIsEnabled() || p.getResources() == null) {
                continue;
            }
            byResources.computeIfAbsent(signature(p), k -> new ArrayList<>()).add(p);
        }
        for (List<RangerPolicy> same : byResources.values()) {
            for (RangerPolicy p : same) {
                Set<Grant> denies = grants(p.getDenyPolicyItems());
                for (RangerPolicy q : same) {
                    Set<Grant> allows = grants(q.getPolicyItems());
                    Set<Grant> clash = new HashSet<>(allows);
                    clash.retainAll(denies);
                    clash.removeAll(grants(p.getDenyExceptions()));
                    if (!clash.isEmpty()) {
                        out.add(new Finding(Severity.ERROR, Kind.CONTRADICTORY, file, p.getName(), "denies what "
                                + (p == q ? "it also allows" : "policy '" + q.getName() + "' allows") + " on the same resources: "
                                + clash.stream().map(g -> g.principal() + " " + g.access()).sorted().toList() + " (deny wins)"));
                    }
                    if (p != q && p.getId() != null && q.getId() != null && p.getId() > q.getId()) {
                        Set<Grant> mine = grants(p.getPolicyItems());
                        if (!mine.isEmpty() && allows.containsAll(mine) && grants(p.getDenyPolicyItems()).isEmpty()
                                && Objects.equals(p.getPolicyType(), q.getPolicyType()) && sameConditions(p, q)) {
                            out.add(new Finding(Severity.WARNING, Kind.SHADOWED, file, p.getName(), "grants nothing policy '"
                                    + q.getName() + "' does not already grant on the same resources"));
                        }
                    }
                }
            }
        }
    }

    private static boolean sameConditions(RangerPolicy p, RangerPolicy q) {
        return Objects.equals(p.getConditions(), q.getConditions()) && Objects.equals(p.getValiditySchedules(), q.getValiditySchedules());
    }

    private static String signature(RangerPolicy p) {
        Map<String, String> m = new TreeMap<>();
        p.getResources().forEach((k, r) -> m.put(k, new TreeSet<>(r.getValues() == null ? List.of() : r.getValues())
                + (Boolean.TRUE.equals(r.getIsExcludes()) ? "!" : "") + (Boolean.TRUE.equals(r.getIsRecursive()) ? "+" : "")));
        return (p.getPolicyType() == null ? 0 : p.getPolicyType()) + m.toString();
    }

    private static Set<Grant> grants(List<? extends RangerPolicyItem> items) {
        Set<Grant> out = new HashSet<>();
        if (items == null) {
            return out;
        }
        for (RangerPolicyItem i : items) {
            if (i.getConditions() != null && !i.getConditions().isEmpty()) {
                continue; // conditional items are neither shadowing nor contradicting in general
            }
            for (var a : i.getAccesses()) {
                i.getUsers().forEach(u -> out.add(new Grant("user:" + u, a.getType())));
                i.getGroups().forEach(g -> out.add(new Grant("group:" + g, a.getType())));
                i.getRoles().forEach(r -> out.add(new Grant("role:" + r, a.getType())));
            }
        }
        return out;
    }

    private static List<RangerPolicyItem> allItems(RangerPolicy p) {
        List<RangerPolicyItem> all = new ArrayList<>();
        for (List<? extends RangerPolicyItem> l : List.of(nz(p.getPolicyItems()), nz(p.getDenyPolicyItems()),
                nz(p.getAllowExceptions()), nz(p.getDenyExceptions()), nz(p.getDataMaskPolicyItems()), nz(p.getRowFilterPolicyItems()))) {
            all.addAll(l);
        }
        return all;
    }

    private static <T> List<T> nz(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static String accesses(RangerPolicyItem item) {
        return item.getAccesses().stream().map(a -> a.getType()).toList().toString();
    }
}
