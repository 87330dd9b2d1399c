package io.securelake.warehouse.authz;

import java.io.Serializable;
import java.util.Optional;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.trees.TreeNodeTag;

/**
 * Tags the extension leaves on plan nodes (Catalyst carries tags over when a rule replaces a node). Only
 * nodes a statement owns are tagged (the nodes the extension creates, a SHOW command, the analysed root
 * and its commands), never relation leaves: a session caches and shares those, and tags are a plain map.
 * A {@link Mark} says for whom, under which policy version and in which statement a node was made or
 * checked; a mark for another user or an older policy version counts as no mark.
 */
final class PlanMarks {
    /** On the row-filter {@code Filter} and the masking {@code Project} the extension inserted. */
    static final TreeNodeTag<Mark> INJECTED = new TreeNodeTag<>("securelake.authz.injected");
    /** On a SHOW command whose output is wrapped in the visibility filter. */
    static final TreeNodeTag<Mark> SHOW_FILTERED = new TreeNodeTag<>("securelake.authz.show-filtered");
    /** On a plan (and each command in it) the check rule authorized. */
    static final TreeNodeTag<Mark> AUTHORIZED = new TreeNodeTag<>("securelake.authz.authorized");

    private PlanMarks() {
    }

    record Mark(String user, long policyVersion, String requestId) implements Serializable {
        boolean isFor(String u, long version) {
            return user.equals(u) && policyVersion == version;
        }
    }

    static Optional<Mark> get(LogicalPlan node, TreeNodeTag<Mark> tag) {
        return Scala.opt(node.getTagValue(tag));
    }

    static boolean has(LogicalPlan node, TreeNodeTag<Mark> tag, String user, long version) {
        return get(node, tag).map(m -> m.isFor(user, version)).orElse(false);
    }

    static <T extends LogicalPlan> T mark(T node, TreeNodeTag<Mark> tag, Mark mark) {
        node.setTagValue(tag, mark);
        return node;
    }

    static boolean injected(LogicalPlan node) {
        return node.getTagValue(INJECTED).isDefined();
    }
}
