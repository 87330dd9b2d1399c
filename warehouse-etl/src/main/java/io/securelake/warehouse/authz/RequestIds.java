package io.securelake.warehouse.authz;

import java.lang.ref.WeakReference;
import java.util.UUID;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.catalyst.QueryPlanningTracker;

/**
 * The request id that correlates every audit record of one statement.
 * <ol>
 * <li>The Spark Thrift Server runs each statement in a job group named by the operation's statement id:
 * that id is the request id, and it also appears in the server's own logs and UI.</li>
 * <li>Otherwise one id per analysis: rules of one analysis (the statement's, its views' and its
 * subqueries') share a {@link QueryPlanningTracker}; the final check runs on the same thread right
 * after, outside the tracker, and reuses the id of the analysis that just ended there.</li>
 * </ol>
 */
final class RequestIds {
    private static final String JOB_GROUP = "spark.jobGroup.id";
    private static final ThreadLocal<Scope> LAST = new ThreadLocal<>();

    private record Scope(WeakReference<QueryPlanningTracker> tracker, String id) {
    }

    private RequestIds() {
    }

    /** For rules running inside an analysis. */
    static String duringAnalysis(SparkContext sc) {
        String group = sc.getLocalProperty(JOB_GROUP);
        if (group != null && !group.isBlank()) {
            return group;
        }
        QueryPlanningTracker tracker = Scala.opt(QueryPlanningTracker.get()).orElse(null);
        Scope scope = LAST.get();
        if (tracker == null) {
            return scope != null ? scope.id() : newId();
        }
        if (scope == null || scope.tracker().get() != tracker) {
            scope = new Scope(new WeakReference<>(tracker), newId());
            LAST.set(scope);
        }
        return scope.id();
    }

    /** For the check that closes an analysis. */
    static String forCheck(SparkContext sc) {
        return duringAnalysis(sc);
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }
}
