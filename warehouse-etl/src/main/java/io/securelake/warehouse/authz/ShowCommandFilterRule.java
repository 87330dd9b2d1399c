package io.securelake.warehouse.authz;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.ResolvedNamespace;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ShowNamespaces;
import org.apache.spark.sql.catalyst.plans.logical.ShowTables;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.connector.catalog.CatalogManager;
import org.apache.spark.sql.execution.command.ShowTablesCommand;
import org.apache.spark.sql.execution.command.ShowViewsCommand;
import org.apache.spark.sql.types.DataTypes;

/**
 * Resolution-phase rule: {@code SHOW DATABASES}, {@code SHOW TABLES}, {@code SHOW TABLE EXTENDED} and
 * {@code SHOW VIEWS} list only what the user may see (Ranger's {@code _any} access: any privilege on
 * the database, or on the table), as Hive with Ranger does; they are never refused.
 * <p>The command is wrapped in a {@code Filter} on its output:
 * {@code namespace IN (<visible databases>)}, or {@code isTemporary OR tableName IN (<visible tables>)}.
 * Spark executes the command eagerly (it finds a command anywhere in the analysed plan) and evaluates
 * the filter over its rows. The visible names are decided here, at analysis, from the catalog's
 * listing: a table created between analysis and execution is simply not shown. The filter is a pure
 * expression (no closure over the policy engine), so it evaluates the same wherever Spark runs it.
 * The check rule refuses a SHOW command that is not wrapped (fail closed).
 */
final class ShowCommandFilterRule extends Rule<LogicalPlan> {
    private final SparkSession session;
    private final java.util.function.Supplier<AuthzRuntime> runtime;

    ShowCommandFilterRule(SparkSession session) {
        this(session, () -> AuthzRuntime.of(session.sparkContext()));
    }

    /** With the runtime given, for tests (e.g. a failed one). */
    ShowCommandFilterRule(SparkSession session, java.util.function.Supplier<AuthzRuntime> runtime) {
        this.session = session;
        this.runtime = runtime;
    }

    @Override
    public LogicalPlan apply(LogicalPlan plan) {
        if (plan.find(ShowCommandFilterRule::isShow).isEmpty()) {
            return plan;
        }
        AuthzRuntime runtime = this.runtime.get();
        if (runtime.failure().isPresent()) {
            return plan;
        }
        Authorizer authz = new Authorizer(runtime, SessionUser.current(), RequestIds.duringAnalysis(session.sparkContext()));
        String user = authz.user().name();
        long version = authz.policyVersion();
        return plan.transformUp(Scala.partial(
                node -> isShow(node) && !PlanMarks.has(node, PlanMarks.SHOW_FILTERED, user, version),
                node -> visibleOnly(node, authz).orElse(node)));
    }

    static boolean isShow(LogicalPlan node) {
        return node instanceof ShowNamespaces || node instanceof ShowTables || node instanceof ShowTablesCommand
                || node instanceof ShowViewsCommand;
    }

    private Optional<LogicalPlan> visibleOnly(LogicalPlan node, Authorizer authz) {
        SessionCatalog catalog = session.sessionState().catalog();
        Expression condition;
        if (node instanceof ShowNamespaces s) {
            if (!(s.namespace() instanceof ResolvedNamespace ns) || !sessionCatalog(ns) || !ns.namespace().isEmpty()) {
                return Optional.empty(); // unresolved yet, or not the session catalog: the check refuses it
            }
            List<String> visible = new ArrayList<>();
            List<String> all = Scala.list(Scala.opt(s.pattern()).map(catalog::listDatabases).orElseGet(catalog::listDatabases));
            for (String db : all) {
                if (authz.visible(HiveResource.database(db))) {
                    visible.add(db);
                }
            }
            condition = in(s.output().head(), visible);
        } else if (node instanceof ShowTables s) {
            if (!(s.namespace() instanceof ResolvedNamespace ns) || !sessionCatalog(ns) || ns.namespace().size() != 1) {
                return Optional.empty();
            }
            condition = tables(catalog, authz, ns.namespace().head(), Scala.opt(s.pattern()), s.output());
        } else if (node instanceof ShowTablesCommand s) {
            String db = Scala.opt(s.databaseName()).orElse(catalog.getCurrentDatabase());
            condition = tables(catalog, authz, db, Scala.opt(s.tableIdentifierPattern()), s.output());
        } else if (node instanceof ShowViewsCommand s) {
            condition = tables(catalog, authz, s.databaseName(), Scala.opt(s.tableIdentifierPattern()), s.output());
        } else {
            return Optional.empty();
        }
        PlanMarks.mark(node, PlanMarks.SHOW_FILTERED, authz.mark());
        return Optional.of(PlanMarks.mark(new Filter(condition, node), PlanMarks.INJECTED, authz.mark()));
    }

    /** Output (namespace, tableName|viewName, isTemporary, …): temporary views are the session's own. */
    private static Expression tables(SessionCatalog catalog, Authorizer authz, String db, Optional<String> pattern,
                                     scala.collection.Seq<Attribute> output) {
        List<String> visible = new ArrayList<>();
        if (!catalog.isGlobalTempViewDB(db)) {
            for (TableIdentifier t : Scala.list(catalog.listTables(db, pattern.orElse("*"), false))) {
                if (authz.visible(HiveResource.table(db, t.table()))) {
                    visible.add(t.table());
                }
            }
        }
        Attribute name = output.apply(1);
        Attribute temporary = output.apply(2);
        return new Or(temporary, in(name, visible));
    }

    private static Expression in(Attribute attr, List<String> values) {
        if (values.isEmpty()) {
            return Literal.create(false, DataTypes.BooleanType);
        }
        List<Expression> literals = new ArrayList<>();
        for (String v : values) {
            literals.add(Literal.create(v, DataTypes.StringType));
        }
        return new In(attr, Scala.seq(literals));
    }

    static boolean sessionCatalog(ResolvedNamespace ns) {
        return CatalogManager.SESSION_CATALOG_NAME().equals(ns.catalog().name());
    }
}
