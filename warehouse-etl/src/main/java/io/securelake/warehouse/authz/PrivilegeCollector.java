package io.securelake.warehouse.authz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.CTERelationDef;
import org.apache.spark.sql.catalyst.plans.logical.CTERelationRef;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.CommandResult;
import org.apache.spark.sql.catalyst.plans.logical.DeserializeToObject;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.Range;
import org.apache.spark.sql.catalyst.plans.logical.SetOperation;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.execution.ExternalRDD;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;

/**
 * Walks an analysed plan and collects what the statement needs: the privileges of its command (create,
 * update, drop, alter…), the tables and columns it reads, the scans whose row filter and masks must be
 * in place, and the external sources it names by path.
 * <p><b>Columns read.</b> Every attribute a scan produces is traced by expression id. A column is read
 * when any operator references it (projection, filter, join condition, grouping, ordering, window,
 * generator…), when it reaches the statement's output, when a set operation, DISTINCT, CTE definition
 * or a command's query consumes it, or when it is the output of a subquery. This over-approximates (a
 * column projected inside a subquery and dropped above still counts) and never under-approximates. A
 * table read without any column ({@code count(*)}) is checked at table level. Columns referenced only
 * by the extension's own row-filter and masking nodes are not the user's reads; a masked column read
 * above its mask is traced back to the table column.
 * <p><b>Views.</b> A permanent view is checked like a table (select on the view's columns the query
 * reads) <em>and</em> its body is checked as the reader (select on the base tables' columns it reads;
 * the base tables' row filters and masks apply, as the masking rule put them inside the body). A view
 * therefore never widens access: granting a view does not grant its tables. Temporary views are the
 * session's own: only their body is checked.
 */
final class PrivilegeCollector {
    record Need(String access, HiveResource resource) {
    }

    /** A table scan not covered by the extension's row filter and masks. */
    record Scan(HiveResource table, List<Attribute> columns) {
    }

    private final SparkSession session;
    private final Authorizer authz;
    private final String currentDatabase;
    final LinkedHashSet<Need> needs = new LinkedHashSet<>();
    final LinkedHashMap<HiveResource, LinkedHashSet<String>> reads = new LinkedHashMap<>();
    final List<Scan> unprotected = new ArrayList<>();
    final List<LogicalPlan> commands = new ArrayList<>();
    final List<Runnable> extraChecks = new ArrayList<>();
    private final Map<Long, HiveResource> lineage = new LinkedHashMap<>();
    private final Set<Long> referenced = new HashSet<>();
    /** Statements people send are held to {@link SqlSurface}; an in-process job's own SQL is not. */
    private final boolean surfaceChecked;
    String refusal;

    PrivilegeCollector(SparkSession session, Authorizer authz) {
        this.session = session;
        this.authz = authz;
        this.currentDatabase = session.sessionState().catalog().getCurrentDatabase();
        this.surfaceChecked = authz.user().onBehalf();
    }

    SparkSession session() {
        return session;
    }

    Authorizer authz() {
        return authz;
    }

    /** Collects everything; then {@link #columnsRead()} holds the reads. */
    PrivilegeCollector collect(LogicalPlan plan) {
        visitRoot(plan);
        for (Map.Entry<Long, HiveResource> e : lineage.entrySet()) {
            if (referenced.contains(e.getKey())) {
                HiveResource column = e.getValue();
                reads.get(column.tableOnly()).add(column.column());
            }
        }
        return this;
    }

    // --- used by CommandPrivileges -------------------------------------------------------------------

    void need(String access, HiveResource resource) {
        needs.add(new Need(access, resource));
    }

    void refuse(String what) {
        if (refusal == null) {
            refusal = what;
        }
    }

    /** A construct no policy can grant: {@code may not use [construct]: reason}. */
    void refuse(SqlSurface.Refusal r) {
        refuse("use [" + r.construct() + "]: " + r.reason());
    }

    boolean surfaceChecked() {
        return surfaceChecked;
    }

    /** A query a statement consumes entirely (its output is read). */
    void visitRoot(LogicalPlan plan) {
        referenced(Scala.list(plan.output()));
        visit(plan, false);
    }

    HiveResource table(TableIdentifier id) {
        return HiveResource.table(Scala.opt(id.database()).orElse(currentDatabase), id.table());
    }

    HiveResource table(CatalogTable t) {
        return Relations.resource(t, currentDatabase);
    }

    String currentDatabase() {
        return currentDatabase;
    }

    /** Names a data source by path: with the server's rights when acting for a user, so Ranger decides. */
    void external(String location) {
        if (authz.user().onBehalf()) {
            need(HiveAccess.READ, HiveResource.url(location));
        }
    }

    void externalWrite(String location) {
        if (authz.user().onBehalf()) {
            need(HiveAccess.WRITE, HiveResource.url(location));
        }
    }

    // --- the walk ------------------------------------------------------------------------------------

    private void visit(LogicalPlan node, boolean underInjected) {
        if (node instanceof Command) {
            commands.add(node);
            CommandPrivileges.collect(node, this);
            return;
        }
        Optional<CatalogTable> scanned = Relations.catalogTable(node);
        if (scanned.isPresent()) {
            scan(node, table(scanned.get()), underInjected);
            return;
        }
        if (node instanceof View v) {
            if (!v.isTempView()) {
                HiveResource view = table(v.desc());
                reads.computeIfAbsent(view, k -> new LinkedHashSet<>());
                for (Attribute a : Scala.list(v.output())) {
                    lineage.put(a.exprId().id(), view.withColumn(a.name()));
                }
            }
            visit(v.child(), false);
            return;
        }
        if (PlanMarks.injected(node)) {
            boolean mine = PlanMarks.has(node, PlanMarks.INJECTED, authz.user().name(), authz.policyVersion());
            if (node instanceof Project p) {
                scanBelow(p).ifPresent(table -> {
                    for (NamedExpression e : Scala.list(p.projectList())) {
                        if (e instanceof Alias a) {
                            lineage.put(a.exprId().id(), table.withColumn(a.name()));
                        }
                    }
                });
            }
            if (!mine) {
                checkExpressions(node);
            }
            for (LogicalPlan child : Scala.list(node.children())) {
                visit(child, underInjected || mine);
            }
            return;
        }
        if (node.children().isEmpty()) {
            leaf(node);
            return;
        }
        if (node instanceof DeserializeToObject d && d.child() instanceof LocalRelation l && l.data().isEmpty()) {
            // Spark binding a result's encoder when it collects rows (Dataset.resolvedEnc, also in the Thrift
            // server): its own generated deserializer over the result's columns, no data; never SQL text.
            return;
        }
        if (surfaceChecked) {
            SqlSurface.node(node).ifPresent(this::refuse);
        }
        checkExpressions(node);
        referenced(node.references());
        if (node instanceof SetOperation || node instanceof Union || node instanceof Distinct || node instanceof CTERelationDef) {
            for (LogicalPlan child : Scala.list(node.children())) {
                referenced(Scala.list(child.output()));
            }
        }
        for (LogicalPlan sub : Scala.list(node.subqueries())) {
            visitRoot(sub);
        }
        for (LogicalPlan child : Scala.list(node.children())) {
            visit(child, false);
        }
    }

    private void scan(LogicalPlan node, HiveResource table, boolean underInjected) {
        reads.computeIfAbsent(table, k -> new LinkedHashSet<>());
        List<Attribute> output = Scala.list(node.output());
        for (Attribute a : output) {
            lineage.putIfAbsent(a.exprId().id(), table.withColumn(a.name()));
        }
        if (!underInjected) {
            unprotected.add(new Scan(table, output));
        }
    }

    private Optional<HiveResource> scanBelow(LogicalPlan injected) {
        LogicalPlan n = injected;
        while (n != null && PlanMarks.injected(n) && n.children().size() == 1) {
            n = n.children().head();
        }
        return n == null ? Optional.empty() : Relations.catalogTable(n).map(this::table);
    }

    private void leaf(LogicalPlan node) {
        if (node instanceof LocalRelation || node instanceof OneRowRelation || node instanceof Range
                || node instanceof CommandResult || node instanceof LogicalRDD || node instanceof ExternalRDD
                || node instanceof CTERelationRef || CommandPrivileges.isIdentity(node)) {
            return; // literal or in-process data, or a reference within the plan
        }
        if (node instanceof LogicalRelation l && l.relation() instanceof HadoopFsRelation fs) {
            for (var p : Scala.list(fs.location().rootPaths())) {
                external(p.toString());
            }
            return;
        }
        if (node instanceof DataSourceV2Relation r) {
            external(r.table().name());
            return;
        }
        if (surfaceChecked) {
            refuse(SqlSurface.node(node).orElseThrow());
            return;
        }
        external(node.nodeName() + ":" + node.simpleStringWithNodeId());
    }

    /** Every expression of a node people sent must be on the allow-list (subquery plans are visited as plans). */
    private void checkExpressions(LogicalPlan node) {
        if (!surfaceChecked) {
            return;
        }
        for (org.apache.spark.sql.catalyst.expressions.Expression e : Scala.list(node.expressions())) {
            Optional<SqlSurface.Refusal> r = SqlSurface.expression(e);
            if (r.isPresent()) {
                refuse(r.get());
                return;
            }
        }
    }

    private void referenced(Iterable<Attribute> attrs) {
        for (Attribute a : attrs) {
            if (a.resolved()) {
                referenced.add(a.exprId().id());
            }
        }
    }

    private void referenced(org.apache.spark.sql.catalyst.expressions.AttributeSet attrs) {
        referenced(Scala.list(attrs.toSeq()));
    }
}
