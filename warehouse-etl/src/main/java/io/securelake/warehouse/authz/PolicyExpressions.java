package io.securelake.warehouse.authz;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;

/**
 * Row-filter predicates and CUSTOM mask expressions are SQL text in the policies. They are parsed by the
 * session's parser and resolved <em>eagerly, against the table's own columns only</em> (a stand-in
 * relation with the table's schema): a name the table lacks is an error, never silently bound to a
 * column of an enclosing query (as an unresolved filter inside a correlated subquery could be).
 * <p>Resolution costs a parse and an analyzer run, so the result is cached per session (function
 * names resolve in the session's registry) by text and schema, and re-bound to each query's attributes.
 * Expressions containing subqueries are not cached (their plans carry expression ids of their own).
 */
final class PolicyExpressions {
    private static final int MAX_CACHED = 512;

    private final SparkSession session;
    private final Map<String, Resolved> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Resolved> eldest) {
            return size() > MAX_CACHED;
        }
    };

    private record Resolved(List<Attribute> canonical, Expression expression) {
    }

    PolicyExpressions(SparkSession session) {
        this.session = session;
    }

    /** A boolean predicate over {@code columns}. @throws IllegalArgumentException if it does not resolve */
    Expression predicate(String text, List<Attribute> columns) {
        Resolved r = resolve("filter\u0000" + text, columns, canonical -> {
            LogicalPlan analyzed = session.sessionState().analyzer().execute(
                    new Filter(parse(text), new LocalRelation(Scala.seq(canonical), Scala.seq(List.of()), false)));
            if (!(analyzed instanceof Filter f) || !analyzed.resolved()) {
                throw new IllegalArgumentException("does not resolve against the table's columns");
            }
            if (!f.condition().dataType().sameType(org.apache.spark.sql.types.DataTypes.BooleanType)) {
                throw new IllegalArgumentException("is not a boolean predicate");
            }
            return f.condition();
        });
        return rebind(r, columns);
    }

    /** A CUSTOM mask for one column, {@code {col}} standing for it. */
    Expression customMask(String text, Attribute column) {
        String sql = text.replace("{col}", "`" + column.name().replace("`", "``") + "`");
        Resolved r = resolve("mask\u0000" + sql, List.of(column), canonical -> {
            LogicalPlan analyzed = session.sessionState().analyzer().execute(new Project(
                    Scala.seq(List.<NamedExpression>of(new Alias(parse(sql), "m", NamedExpression$.MODULE$.newExprId(),
                            Scala.seq(List.of()), Scala.option(null), Scala.seq(List.of())))),
                    new LocalRelation(Scala.seq(canonical), Scala.seq(List.of()), false)));
            if (!(analyzed instanceof Project p) || !analyzed.resolved()) {
                throw new IllegalArgumentException("does not resolve against the column");
            }
            return ((Alias) p.projectList().head()).child();
        });
        return rebind(r, List.of(column));
    }

    private Expression parse(String text) {
        try {
            return session.sessionState().sqlParser().parseExpression(text);
        } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
            throw new IllegalArgumentException("does not parse: " + e.getMessage(), e);
        }
    }

    private Resolved resolve(String text, List<Attribute> columns,
                             java.util.function.Function<List<Attribute>, Expression> analyze) {
        String key = text + "\u0000" + columns.stream().map(a -> a.name() + ":" + a.dataType().catalogString())
                .collect(Collectors.joining(","));
        synchronized (cache) {
            Resolved hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        List<Attribute> canonical = new ArrayList<>();
        for (Attribute a : columns) {
            canonical.add(a.newInstance());
        }
        Expression e = analyze.apply(canonical);
        Resolved r = new Resolved(canonical, e);
        if (!e.exists(x -> x instanceof SubqueryExpression)) {
            synchronized (cache) {
                cache.put(key, r);
            }
        }
        return r;
    }

    /** The cached expression with its stand-in columns replaced by this query's columns. */
    private static Expression rebind(Resolved r, List<Attribute> columns) {
        Map<ExprId, Attribute> byId = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            byId.put(r.canonical().get(i).exprId(), columns.get(i));
        }
        return r.expression().transform(Scala.partial(
                x -> x instanceof AttributeReference a && byId.containsKey(a.exprId()),
                x -> byId.get(((AttributeReference) x).exprId())));
    }
}
