package io.securelake.warehouse.authz;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.InheritAnalysisRules;
import org.apache.spark.sql.catalyst.expressions.UserDefinedExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

/**
 * The part of Spark SQL a person may use, as an allow-list of the plan nodes and expressions of an
 * analysed statement. What is not on it is refused, whatever the policies say: Spark grows new nodes and
 * functions with every release, and one the authorization has not been taught could run code, read a
 * file or bypass a mask.
 * <ul>
 * <li><b>Plan nodes</b>: the relational operators of {@link #PLAN_NODES} (projection, filter, join,
 * aggregation, sort, limit, window, set operations, CTEs, generators, sampling, repartitioning, hints)
 * and literal data. Table scans, views and commands are judged by {@link PrivilegeCollector} and
 * {@link CommandPrivileges}; any other node is refused.</li>
 * <li><b>Expressions</b>: those Spark implements in its own expression library
 * ({@code org.apache.spark.sql.catalyst.expressions} and its sub-packages, which is what every built-in
 * function and operator, and every expression the parser and analyser build, resolves to), except
 * <ul>
 * <li>{@link #REFUSED}: the built-ins that call arbitrary Java code or reveal the server's files;</li>
 * <li>the {@code objects} sub-package (Invoke, StaticInvoke, NewInstance…: method calls by name, which
 * only typed Datasets and Spark's own function implementations build);</li>
 * <li>every {@link UserDefinedExpression}: Scala, Python and Hive UDF classes, temporary or permanent.</li>
 * </ul>
 * A class from anywhere else (a Hive UDF wrapper, a library's expression) is refused. Spark's own
 * implementation of a function ({@link InheritAnalysisRules}'s replacement) is not walked; what the
 * person passed to it is.</li>
 * </ul>
 * Applies to statements people send through the query server ({@link SessionUser#onBehalf()}): an
 * in-process Spark job is code already, and its SQL is the job's own.
 */
final class SqlSurface {
    /** A construct refused for everyone, with the reason given to the person. */
    record Refusal(String construct, String reason) {
    }

    private static final String EXPR = "org.apache.spark.sql.catalyst.expressions.";
    private static final String LOGICAL = "org.apache.spark.sql.catalyst.plans.logical.";

    /** Refused for everyone, however they are reached (also as a built-in function). */
    private static final Map<String, Refusal> REFUSED = Map.of(
            EXPR + "CallMethodViaReflection", new Refusal("reflect/java_method",
                    "it calls arbitrary Java code in the query server"),
            EXPR + "TryReflect", new Refusal("try_reflect", "it calls arbitrary Java code in the query server"),
            EXPR + "InputFileName", new Refusal("input_file_name()", "it reveals the server's storage paths"),
            EXPR + "InputFileBlockStart", new Refusal("input_file_block_start()", "it reveals the server's storage layout"),
            EXPR + "InputFileBlockLength", new Refusal("input_file_block_length()", "it reveals the server's storage layout"),
            EXPR + "UserDefinedGenerator", new Refusal("a user-defined generator", "it runs code supplied by a program"),
            EXPR + "PrintToStderr", new Refusal("print_to_stderr", "it writes to the query server's error stream"),
            LOGICAL + "ScriptTransformation", new Refusal("TRANSFORM … USING",
                    "it runs a program on the query server"));

    /** Relational operators of an analysed query; leaves with data are judged in {@link PrivilegeCollector}. */
    static final List<String> PLAN_NODES = List.of(
            "Project", "Filter", "Join", "LateralJoin", "Aggregate", "Sort", "GlobalLimit", "LocalLimit", "Offset",
            "Tail", "Window", "WindowGroupLimit", "Union", "Intersect", "Except", "Distinct", "Deduplicate",
            "SubqueryAlias", "Generate", "Expand", "Sample", "Repartition", "RepartitionByExpression",
            "RebalancePartitions", "ResolvedHint", "WithCTE", "CTERelationDef", "CTERelationRef",
            "LocalRelation", "OneRowRelation", "Range");

    private static final String OBJECTS = EXPR + "objects.";
    private static final Set<Class<?>> ALLOWED_NODES = classes(LOGICAL, PLAN_NODES);

    private SqlSurface() {
    }

    /** Why a relational node may not run, if it may not; leaves, scans, views and commands are not judged here. */
    static Optional<Refusal> node(LogicalPlan node) {
        Refusal refused = REFUSED.get(node.getClass().getName());
        if (refused != null) {
            return Optional.of(refused);
        }
        if (ALLOWED_NODES.contains(node.getClass())) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(node.nodeName(), "securelake does not authorize this kind of query operator"));
    }

    /** The first expression of {@code root}'s tree that is not on the allow-list; subquery plans are not entered. */
    static Optional<Refusal> expression(Expression root) {
        Refusal refused = REFUSED.get(root.getClass().getName());
        if (refused != null) {
            return Optional.of(refused);
        }
        String name = root.getClass().getName();
        if (root instanceof UserDefinedExpression || !name.startsWith(EXPR) || name.startsWith(OBJECTS)) {
            return Optional.of(new Refusal(root.prettyName() + "()", "it is not part of Spark's own function library"
                    + " (user-defined functions, Hive UDF classes and method calls by name are never run for people)"));
        }
        // A function that inherits its analysis from a replacement (try_add → TryEval(Add)…) shows the
        // replacement as its child: walk what the person wrote, not Spark's fixed implementation of it.
        Iterable<Expression> children = root instanceof InheritAnalysisRules inherit
                ? Scala.list(inherit.parameters()) : Scala.list(root.children());
        for (Expression child : children) {
            Optional<Refusal> r = expression(child);
            if (r.isPresent()) {
                return r;
            }
        }
        return Optional.empty();
    }

    private static Set<Class<?>> classes(String prefix, List<String> simpleNames) {
        Set<Class<?>> out = new HashSet<>();
        for (String n : simpleNames) {
            out.add(load(prefix + n).orElseThrow(() -> new IllegalStateException(
                    "Spark has no class " + prefix + n + ": the SQL allow-list must be reviewed for this Spark version")));
        }
        return Set.copyOf(out);
    }

    private static Optional<Class<?>> load(String name) {
        try {
            return Optional.of(Class.forName(name, false, SqlSurface.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }
}
