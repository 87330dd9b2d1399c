package io.securelake.policies.tools;

import io.securelake.envs.Dataset;
import io.securelake.envs.Environment;
import io.securelake.envs.EnvironmentNames;
import io.securelake.envs.RangerServiceType;
import io.securelake.envs.ServiceIdentity;
import io.securelake.policies.engine.PolicyFiles;
import io.securelake.policies.engine.RangerJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ranger.plugin.model.RangerPolicy;

/**
 * {@code policy diff --env dev --against sit}: compares two environments' policies after replacing each
 * environment's own names (topics, paths, databases, principals, services, topology) with neutral
 * tokens such as {@code <env>} or {@code <principal:ingest>}, so that what remains is a real difference
 * a promotion would carry (or lose). Policies are matched by name.
 */
public final class PolicyDiff {

    public enum Kind { ONLY_IN_SOURCE, ONLY_IN_TARGET, CHANGED }

    public record Change(RangerServiceType service, String policy, Kind kind, List<String> lines) {
        @Override
        public String toString() {
            String head = switch (kind) {
                case ONLY_IN_SOURCE -> "+ ";
                case ONLY_IN_TARGET -> "- ";
                case CHANGED -> "~ ";
            };
            return head + service.serviceDefName() + " " + policy + (lines.isEmpty() ? "" : "\n    " + String.join("\n    ", lines));
        }
    }

    private PolicyDiff() {
    }

    /** Changes promoting {@code source}'s policies would make to {@code target}'s. */
    public static List<Change> diff(Environment source, Environment target, Path policiesRoot) {
        List<Change> out = new ArrayList<>();
        for (RangerServiceType t : RangerServiceType.values()) {
            Map<String, String> a = normalised(source, t, policiesRoot);
            Map<String, String> b = normalised(target, t, policiesRoot);
            for (var e : a.entrySet()) {
                String other = b.get(e.getKey());
                if (other == null) {
                    out.add(new Change(t, e.getKey(), Kind.ONLY_IN_SOURCE, List.of()));
                } else if (!other.equals(e.getValue())) {
                    out.add(new Change(t, e.getKey(), Kind.CHANGED, lineDiff(other, e.getValue())));
                }
            }
            for (String name : b.keySet()) {
                if (!a.containsKey(name)) {
                    out.add(new Change(t, name, Kind.ONLY_IN_TARGET, List.of()));
                }
            }
        }
        return out;
    }

    public static String render(Environment source, Environment target, List<Change> changes) {
        if (changes.isEmpty()) {
            return "policies of " + source.name() + " and " + target.name() + " are the same (after environment names)\n";
        }
        StringBuilder sb = new StringBuilder("promoting " + source.name() + " -> " + target.name()
                + " (+ only in " + source.name() + ", - only in " + target.name() + ", ~ changed: -" + target.name() + " +" + source.name() + ")\n");
        changes.forEach(c -> sb.append(c).append('\n'));
        return sb.toString();
    }

    static Map<String, String> normalised(Environment env, RangerServiceType type, Path root) {
        Path file = PolicyFiles.file(root, env, type);
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        Map<String, String> tokens = tokens(env);
        for (RangerPolicy p : PolicyFiles.readRaw(file).getPolicies()) {
            RangerPolicy c = copy(p);
            c.setId(null);
            c.setGuid(null);
            c.setVersion(null);
            c.setService(null);
            String json;
            try {
                json = RangerJson.MAPPER.writeValueAsString(c);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            for (var t : tokens.entrySet()) {
                json = json.replace(t.getKey(), t.getValue());
            }
            out.put(p.getName(), json);
        }
        return out;
    }

    /** Environment-specific strings, longest first so that e.g. a principal is replaced before its suffix. */
    static Map<String, String> tokens(Environment env) {
        EnvironmentNames n = env.names();
        Map<String, String> m = new LinkedHashMap<>();
        for (ServiceIdentity s : env.services()) {
            m.put(s.principal(), "<principal:" + s.role().yamlName() + ">");
        }
        for (RangerServiceType t : RangerServiceType.values()) {
            m.put(n.rangerService(t), "<env>_" + t.serviceDefName());
        }
        for (Dataset d : env.datasets()) {
            m.put(n.hiveDatabase(d), d.name() + "_<env>");
        }
        m.put(PolicyNames.auditHiveDatabase(n), "audit_<env>");
        m.put(n.lakeRoot(), "/lake/<env>");
        m.put(n.auditPath(), "/audit/<env>");
        m.put("\"" + n.topicPrefix(), "\"<env>.");
        m.put("\"" + n.knoxTopology() + "\"", "\"<env>\"");
        Map<String, String> sorted = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Comparator.comparingInt((Map.Entry<String, String> e) -> -e.getKey().length()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static RangerPolicy copy(RangerPolicy p) {
        try {
            return RangerJson.MAPPER.readValue(RangerJson.MAPPER.writeValueAsString(p), RangerPolicy.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lines of {@code before} not in {@code after} (as -) and the reverse (as +), in order. */
    private static List<String> lineDiff(String before, String after) {
        List<String> a = before.lines().map(String::strip).toList();
        List<String> b = after.lines().map(String::strip).toList();
        List<String> out = new ArrayList<>();
        a.stream().filter(l -> !b.contains(l)).forEach(l -> out.add("- " + l));
        b.stream().filter(l -> !a.contains(l)).forEach(l -> out.add("+ " + l));
        return out;
    }
}
