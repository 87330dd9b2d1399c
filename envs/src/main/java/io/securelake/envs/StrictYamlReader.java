package io.securelake.envs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Typed reads of a YAML node tree that never throw on bad input: each problem is collected with its file, line,
 * column and dotted field, so one run of the loader reports every mistake of a file at once. Knows YAML, not
 * environments ({@link EnvironmentLoader} does).
 */
abstract class StrictYamlReader {
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*:[0-9]{1,5}");
    private static final Pattern DURATION = Pattern.compile("([0-9]+)(s|m|h|d)");

    final Path file;
    final List<EnvironmentProblem> problems = new ArrayList<>();

    StrictYamlReader(Path file) {
        this.file = file;
    }

    void problem(Node at, String field, String message) {
        Mark m = at == null ? null : at.getStartMark();
        problems.add(new EnvironmentProblem(file, m == null ? 0 : m.getLine() + 1,
                m == null ? 0 : m.getColumn() + 1, field, message));
    }

    final Map<String, Node> mapping(Node node, String field, Set<String> required, Set<String> optional) {
        if (node == null) {
            problem(null, field, "missing");
            return null;
        }
        if (!(node instanceof MappingNode mn)) {
            problem(node, field, "expected a mapping (key: value lines), found " + describe(node));
            return null;
        }
        Map<String, Node> result = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
                problem(t.getKeyNode(), field, "keys must be plain names");
                continue;
            }
            String key = keyNode.getValue();
            String keyField = field.isEmpty() ? key : field + "." + key;
            if (!required.contains(key) && !optional.contains(key)) {
                Set<String> allowed = new java.util.TreeSet<>(required);
                allowed.addAll(optional);
                problem(keyNode, keyField, "unknown key '" + key + "' (allowed here: " + String.join(", ", allowed) + ")");
                continue;
            }
            if (result.put(key, t.getValueNode()) != null) {
                problem(keyNode, keyField, "key '" + key + "' appears twice");
            }
        }
        for (String r : required) {
            if (!result.containsKey(r)) {
                problem(node, field.isEmpty() ? r : field + "." + r, "missing required field '" + r + "'");
            }
        }
        return result;
    }

    List<Node> sequence(Node node, String field) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof SequenceNode sn) {
            return sn.getValue();
        }
        problem(node, field, "expected a list (- item lines or [a, b]), found " + describe(node));
        return List.of();
    }

    String text(Node node, String field) {
        if (node == null) {
            return null; // already reported as missing by mapping()
        }
        if (node instanceof ScalarNode sn && !isNull(node)) {
            String v = sn.getValue().trim();
            if (v.isEmpty()) {
                problem(node, field, "must not be empty");
                return null;
            }
            return v;
        }
        problem(node, field, "expected a single value, found " + describe(node));
        return null;
    }

    <E extends Enum<E>> E enumValue(Node node, String field, Class<E> type) {
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(v)) {
                return e;
            }
        }
        problem(node, field, "'" + v + "' is not one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        return null;
    }

    Integer integer(Node node, String field, int min, int max) {
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                problem(node, field, v + " is out of range [" + min + ", " + max + "]");
                return null;
            }
            return i;
        } catch (NumberFormatException e) {
            problem(node, field, "'" + v + "' is not a whole number");
            return null;
        }
    }

    Duration duration(Node node, String field, Duration defaultValue) {
        if (node == null) {
            return defaultValue;
        }
        String v = text(node, field);
        if (v == null) {
            return null;
        }
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            problem(node, field, "'" + v + "' is not a duration (a number and s, m, h or d: 30s, 10h, 7d)");
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Function<Long, Duration> unit = switch (m.group(2)) {
            case "s" -> Duration::ofSeconds;
            case "m" -> Duration::ofMinutes;
            case "h" -> Duration::ofHours;
            default -> Duration::ofDays;
        };
        Duration d = unit.apply(n);
        if (d.isZero()) {
            problem(node, field, "must be positive");
            return null;
        }
        return d;
    }

    boolean hostPort(Node node, String field, String value) {
        if (!HOST_PORT.matcher(value).matches()) {
            problem(node, field, "'" + value + "' is not host:port");
            return false;
        }
        int port = Integer.parseInt(value.substring(value.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            problem(node, field, "port " + port + " is out of range");
            return false;
        }
        return true;
    }

    boolean isNull(Node node) {
        return node instanceof ScalarNode sn && "tag:yaml.org,2002:null".equals(sn.getTag().getValue());
    }

    String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return isNull(node) ? "nothing" : "'" + ((ScalarNode) node).getValue() + "'";
    }
}
