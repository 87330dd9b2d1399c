package io.securelake.warehouse.authz;

import org.apache.spark.sql.catalyst.analysis.FunctionRegistry$;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.expressions.InheritAnalysisRules;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The part of Spark SQL a person may use, as an allow-list of the plan nodes and expressions of an
 * analysed statement. What is not on it is refused, whatever the policies say: Spark grows new nodes and
 * functions with every release, and one the authorization has not been taught could run code, read a
 * file or bypass a mask.
 * <ul>
 * <li><b>Plan nodes</b>: relational operators (projection, filter, join, aggregation, sort, limit,
 * window, set operations, CTEs, generators, sampling, repartitioning, hints) and literal data. Table
 * scans, views and commands are judged by {@link PrivilegeCollector} and {@link CommandPrivileges}.</li>
 * <li><b>Expressions</b>: every class Spark's built-in function registry names (the functions of
 * {@code SHOW FUNCTIONS} as shipped, not the session's own), plus the expressions the parser and analyser
 * build themselves (column references, aliases, literals, casts, subqueries, window frames, lambdas…),
 * minus {@link #REFUSED}. A function a session registers ({@code CREATE FUNCTION}, Hive UDF classes) is
 * not built in and so is refused.</li>
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
            LOGICAL + "ScriptTransformation", new Refusal("TRANSFORM … USING",
                    "it runs a program on the query server"));

    /**
     * Expressions the parser and analyser create themselves, which the function registry does not name.
     * Named by class so that a Spark upgrade that drops one fails {@code SqlSurfaceTest}, not a query.
     */
    static final List<String> ANALYSER_EXPRESSIONS = List.of(
            "AttributeReference", "Alias", "Literal", "Cast", "SortOrder", "OuterReference", "PrettyAttribute",
            "aggregate.AggregateExpression", "WindowExpression", "WindowSpecDefinition", "SpecifiedWindowFrame",
            "UnspecifiedFrame$", "UnboundedPreceding$", "UnboundedFollowing$", "CurrentRow$",
            "ScalarSubquery", "Exists", "ListQuery", "InSubquery", "LateralSubquery",
            "GetStructField", "GetArrayItem", "GetMapValue", "GetArrayStructFields",
            "NamedLambdaVariable", "LambdaFunction", "CaseWhen", "InSet", "KnownNotNull",
            "Grouping", "GroupingID", "PreciseTimestampConversion", "TimeAdd", "DateAddInterval",
            "DatetimeSub", "SubtractTimestamps", "SubtractDates", "TimestampAddYMInterval", "DateAddYMInterval",
            "MultiplyYMInterval", "MultiplyDTInterval", "DivideYMInterval", "DivideDTInterval",
            "LikeAll", "NotLikeAll", "LikeAny", "NotLikeAny", "GeneratorOuter", "TimeWindow", "SessionWindow",
            "ToPrettyString", "TryEval", "EqualNullSafe", "UnaryPositive");

    /** Relational operators of an analysed query; leaves with data are judged in {@link PrivilegeCollector}. */
    static final List<String> PLAN_NODES = List.of(
            "Project", "Filter", "Join", "LateralJoin", "Aggregate", "Sort", "GlobalLimit", "LocalLimit", "Offset",
            "Tail", "Window", "WindowGroupLimit", "Union", "Intersect", "Except", "Distinct", "Deduplicate",
            "SubqueryAlias", "Generate", "Expand", "Sample", "Repartition", "RepartitionByExpression",
            "RebalancePartitions", "ResolvedHint", "WithCTE", "CTERelationDef", "CTERelationRef",
            "LocalRelation", "OneRowRelation", "Range");

    private static final Set<Class<?>> ALLOWED_EXPRESSIONS = allowedExpressions();
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
        if (!ALLOWED_EXPRESSIONS.contains(root.getClass())) {
            return Optional.of(new Refusal(root.prettyName() + "()", "it is not one of Spark's built-in functions that"
                    + " securelake allows (user-defined and Hive UDF classes are never run for people)"));
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

    private static Set<Class<?>> allowedExpressions() {
        Set<String> names = new HashSet<>();
        for (scala.Tuple2<ExpressionInfo, ?> entry : Scala.list(FunctionRegistry$.MODULE$.expressions().values().toSeq())) {
            names.add(entry._1().getClassName());
        }
        for (ExpressionInfo info : Scala.list(FunctionRegistry$.MODULE$.builtinOperators().values().toSeq())) {
            names.add(info.getClassName());
        }
        names.removeAll(REFUSED.keySet());
        Set<Class<?>> out = new HashSet<>();
        for (String name : names) {
            load(name).ifPresent(out::add); // a registry entry named by a builder class is no expression: skipped
        }
        out.addAll(classes(EXPR, ANALYSER_EXPRESSIONS));
        return Set.copyOf(out);
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
        if (name == null) {
            return Optional.empty(); // an operator the registry describes without a class
        }
        try {
            return Optional.of(Class.forName(name, false, SqlSurface.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }
}
