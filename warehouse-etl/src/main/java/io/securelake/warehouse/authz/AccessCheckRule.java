package io.securelake.warehouse.authz;

import io.securelake.policies.api.MaskDecision;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.QueryExecution;
import org.apache.spark.sql.execution.SQLExecution;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * Check rule (runs on every analysed plan, after all resolution rules, before anything executes):
 * deny by default. The statement runs only if every privilege it needs is granted:
 * <ol>
 * <li>a command Spark presents that {@link CommandPrivileges} does not know is refused;</li>
 * <li>the command's own privileges (create, update, drop, alter, any, url read/write);</li>
 * <li>select on every table and view column read ({@link PrivilegeCollector}), at table level when no
 * column is read;</li>
 * <li>every table scan carries the user's row filter and masks: a scan the masking rule could not
 * protect is refused rather than run unmasked.</li>
 * </ol>
 * The first refusal throws {@link AccessDeniedException}. Every decision is audited by the policy store
 * with the statement's request id. The authorized plan and its commands are tagged
 * {@link PlanMarks#AUTHORIZED}.
 * <p><b>Analyses nested in a running command.</b> Commands analyse further plans while they run: CTAS
 * its INSERT, CACHE TABLE a count, DROP/ALTER/TRUNCATE a {@code spark.table(name)} to drop cached data,
 * ANALYZE a scan for statistics. Checking those as the user's own queries would refuse an
 * administrator's ALTER for want of select. An analysis that happens while this thread executes a
 * query execution whose command this rule authorized for the same user is therefore not re-checked (row
 * filters and masks still apply to it). Anything else, including an execution id inherited by a
 * thread, gets the full check.
 */
final class AccessCheckRule extends AbstractFunction1<LogicalPlan, BoxedUnit> {
    private static final String EXECUTION_ID = SQLExecution.EXECUTION_ID_KEY();

    private final SparkSession session;
    private final java.util.function.Supplier<AuthzRuntime> runtime;

    AccessCheckRule(SparkSession session) {
        this(session, () -> AuthzRuntime.of(session.sparkContext()));
    }

    /** With the runtime given, for tests (e.g. a failed one). */
    AccessCheckRule(SparkSession session, java.util.function.Supplier<AuthzRuntime> runtime) {
        this.session = session;
        this.runtime = runtime;
    }

    @Override
    public BoxedUnit apply(LogicalPlan plan) {
        AuthzRuntime runtime = this.runtime.get();
        Optional<String> failure = runtime.failure();
        if (failure.isPresent()) {
            throw new AccessDeniedException("Permission denied: " + failure.get());
        }
        SessionUser user = SessionUser.current();
        if (insideAuthorizedCommand(user)) {
            return BoxedUnit.UNIT;
        }
        Authorizer authz = new Authorizer(runtime, user, RequestIds.forCheck(session.sparkContext()));
        if (user.onBehalf()) {
            Optional<String> settings = SessionSettings.judgeSession(session);
            if (settings.isPresent()) {
                throw authz.refuse(settings.get());
            }
        }
        check(plan, authz);
        PlanMarks.Mark mark = authz.mark();
        PlanMarks.mark(plan, PlanMarks.AUTHORIZED, mark);
        return BoxedUnit.UNIT;
    }

    void check(LogicalPlan plan, Authorizer authz) {
        PrivilegeCollector c = new PrivilegeCollector(session, authz).collect(plan);
        if (c.refusal != null) {
            throw authz.refuse(c.refusal);
        }
        for (PrivilegeCollector.Need n : c.needs) {
            authz.require(n.access(), n.resource());
        }
        for (Map.Entry<HiveResource, java.util.LinkedHashSet<String>> read : c.reads.entrySet()) {
            if (read.getValue().isEmpty()) {
                authz.require(HiveAccess.SELECT, read.getKey());
            } else {
                for (String column : read.getValue()) {
                    authz.require(HiveAccess.SELECT, read.getKey().withColumn(column));
                }
            }
        }
        for (PrivilegeCollector.Scan scan : c.unprotected) {
            requireNothingToApply(scan, authz);
        }
        c.extraChecks.forEach(Runnable::run);
        PlanMarks.Mark mark = authz.mark();
        for (LogicalPlan cmd : c.commands) {
            PlanMarks.mark(cmd, PlanMarks.AUTHORIZED, mark);
        }
    }

    /** Fail closed: a scan the masking rule did not reach may only run if nothing had to be applied. */
    private static void requireNothingToApply(PrivilegeCollector.Scan scan, Authorizer authz) {
        boolean filtered = authz.rowFilter(scan.table()).filter().isPresent();
        boolean masked = false;
        for (Attribute a : scan.columns()) {
            MaskDecision m = authz.mask(scan.table().withColumn(a.name()));
            if (m.maskType().isPresent() && !"MASK_NONE".equals(m.maskType().get())) {
                masked = true;
                break;
            }
        }
        if (filtered || masked) {
            throw authz.refuse("read [" + scan.table().display()
                    + "] in this statement: its row filter or column masks could not be applied here");
        }
    }

    private static boolean authorizedFor(LogicalPlan root, SessionUser user) {
        return PlanMarks.get(root, PlanMarks.AUTHORIZED).map(m -> m.user().equals(user.name())).orElse(false);
    }

    /** See the class comment. */
    private boolean insideAuthorizedCommand(SessionUser user) {
        String id = session.sparkContext().getLocalProperty(EXECUTION_ID);
        if (id == null) {
            return false;
        }
        QueryExecution running;
        try {
            running = SQLExecution.getQueryExecution(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return false;
        }
        if (running == null) {
            return false;
        }
        return authorizedFor(running.logical(), user) || authorizedFor(running.analyzed(), user);
    }
}
