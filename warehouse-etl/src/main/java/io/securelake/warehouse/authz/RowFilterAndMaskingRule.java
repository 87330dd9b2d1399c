package io.securelake.warehouse.authz;

import io.securelake.policies.api.MaskDecision;
import io.securelake.policies.api.RowFilterDecision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Resolution-phase rule: puts the user's row filter and column masks directly above every scan of a
 * metastore table, wherever the scan is (query, join side, subquery, CTE definition, a view's body,
 * the query of an INSERT, CTAS, CACHE TABLE or CREATE VIEW):
 * <pre>
 *   Project [event_id, <mask>(card_number) AS card_number#new, …]   ← masks, fresh expression ids
 *   +- Filter (event_time >= …)                                      ← row filter, table columns only
 *      +- Relation payments_dev.fact_payment[…]
 * </pre>
 * Everything above the scan is rewritten to read the masked attributes
 * ({@code transformUpWithNewOutput}). A masking alias must have a <em>fresh</em> expression id: one that
 * reuses the column's id looks like a no-op projection to the optimizer, which removes it and returns
 * the data unmasked. Both nodes are tagged {@link PlanMarks#INJECTED} for the user and policy version:
 * the rule never stacks a second copy on later analyzer iterations, and the check rule neither counts
 * their columns as read by the user nor mistakes the scan below for an unprotected one.
 * <p>Row filters are applied before masks (they see real values); the user's own predicates sit above
 * the masks and only ever see masked values.
 */
final class RowFilterAndMaskingRule extends Rule<LogicalPlan> {
    private static final Logger LOG = LoggerFactory.getLogger(RowFilterAndMaskingRule.class);

    private final SparkSession session;
    private final java.util.function.Supplier<AuthzRuntime> runtime;
    private final PolicyExpressions expressions;

    RowFilterAndMaskingRule(SparkSession session) {
        this(session, () -> AuthzRuntime.of(session.sparkContext()));
    }

    /** With the runtime given, for tests (e.g. a failed one). */
    RowFilterAndMaskingRule(SparkSession session, java.util.function.Supplier<AuthzRuntime> runtime) {
        this.session = session;
        this.runtime = runtime;
        this.expressions = new PolicyExpressions(session);
    }

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
        AuthzRuntime runtime = this.runtime.get();
        if (runtime.failure().isPresent() || !containsScan(plan)) {
            return plan; // a failed runtime refuses every statement in the check
        }
        Authorizer authz = new Authorizer(runtime, SessionUser.current(), RequestIds.duringAnalysis(session.sparkContext()));
        return protect(plan, authz);
    }

    LogicalPlan protect(LogicalPlan plan, Authorizer authz) {
        String user = authz.user().name();
        long version = authz.policyVersion();
        LogicalPlan out = plan;
        // The same scan twice (a self-join before DeduplicateRelations renewed one side) would map one
        // attribute to two masks; wait for the next analyzer iteration, which deduplicates first.
        if (!hasDuplicateScans(plan, user, version)) {
            out = plan.transformUpWithNewOutput(
                    Scala.partial(Relations::isTableScan, node -> wrap(node, authz)),
                    node -> PlanMarks.has(node, PlanMarks.INJECTED, user, version),
                    LogicalPlan::resolved);
        }
        // Subquery plans are not children: protect each (its outer references were rewritten above).
        return out.transformUp(Scala.partial(node -> !node.subqueries().isEmpty(),
                node -> node.transformExpressionsDown(Scala.partial(e -> e instanceof SubqueryExpression,
                        e -> ((SubqueryExpression) e).withNewPlan(protect(((SubqueryExpression) e).plan(), authz))))));
    }

    private Tuple2<LogicalPlan, scala.collection.Seq<Tuple2<Attribute, Attribute>>> wrap(LogicalPlan scan, Authorizer authz) {
        CatalogTable table = Relations.catalogTable(scan).orElseThrow();
        HiveResource resource = Relations.resource(table, session.sessionState().catalog().getCurrentDatabase());
        PlanMarks.Mark mark = authz.mark();
        List<Attribute> columns = Scala.list(scan.output());

        RowFilterDecision filter = authz.rowFilter(resource);
        Map<Attribute, Expression> masks = new LinkedHashMap<>();
        for (Attribute col : columns) {
            MaskDecision m = authz.mask(resource.withColumn(col.name()));
            if (m.maskType().isPresent() && !"MASK_NONE".equals(m.maskType().get())) {
                masks.put(col, MaskExpressions.build(m, col, text -> customMask(text, col, resource, m)));
            }
        }
        if (filter.filter().isEmpty() && masks.isEmpty()) {
            // Left untagged: relation objects are shared (the session caches them), tags are not thread-safe.
            // The check evaluates such a scan again and lets it through only if still nothing applies.
            return new Tuple2<>(scan, Scala.seq(List.of()));
        }

        LogicalPlan top = scan;
        if (filter.filter().isPresent()) {
            Expression condition;
            try {
                condition = expressions.predicate(filter.filter().get(), columns);
            } catch (RuntimeException e) {
                LOG.error("row filter of policy {} cannot be applied to {}: {}", filter.policy().orElse("?"),
                        resource.display(), e.getMessage());
                throw authz.refused("read [" + resource.display() + "] under a row filter that does not resolve",
                        new AccessDeniedException("Permission denied: user [" + authz.user().name()
                        + "] cannot be given [select] on [" + resource.display()
                        + "]: the row filter that applies to it does not resolve against the table (see the server log)"));
            }
            top = PlanMarks.mark(new Filter(condition, top), PlanMarks.INJECTED, mark);
        }
        List<Tuple2<Attribute, Attribute>> rewrites = new ArrayList<>();
        if (!masks.isEmpty()) {
            List<NamedExpression> list = new ArrayList<>();
            for (Attribute col : columns) {
                Expression m = masks.get(col);
                if (m == null) {
                    list.add(col);
                    continue;
                }
                Alias alias = new Alias(m, col.name(), NamedExpression$.MODULE$.newExprId(), col.qualifier(),
                        Scala.option(col.metadata()), Scala.seq(List.of()));
                list.add(alias);
                rewrites.add(new Tuple2<>(col, alias.toAttribute()));
            }
            top = PlanMarks.mark(new Project(Scala.seq(list), top), PlanMarks.INJECTED, mark);
        }
        return new Tuple2<>(top, Scala.seq(rewrites));
    }

    private Expression customMask(String text, Attribute col, HiveResource table, MaskDecision m) {
        try {
            return expressions.customMask(text, col);
        } catch (RuntimeException e) {
            LOG.error("custom mask of policy {} on {} cannot be applied, showing NULL: {}", m.policy().orElse("?"),
                    table.withColumn(col.name()).display(), e.getMessage());
            return Literal.create(null, col.dataType());
        }
    }

    static boolean containsScan(LogicalPlan plan) {
        return plan.find(n -> Relations.isTableScan(n) || !n.subqueries().isEmpty()).isDefined();
    }

    private static boolean hasDuplicateScans(LogicalPlan plan, String user, long version) {
        Set<Long> seen = new HashSet<>();
        boolean[] dup = {false};
        collectScans(plan, user, version, seen, dup);
        return dup[0];
    }

    private static void collectScans(LogicalPlan node, String user, long version, Set<Long> seen, boolean[] dup) {
        if (PlanMarks.has(node, PlanMarks.INJECTED, user, version)) {
            return;
        }
        if (Relations.isTableScan(node) && !node.output().isEmpty()) {
            if (!seen.add(node.output().head().exprId().id())) {
                dup[0] = true;
            }
            return;
        }
        for (LogicalPlan child : Scala.list(node.children())) {
            collectScans(child, user, version, seen, dup);
        }
    }
}
