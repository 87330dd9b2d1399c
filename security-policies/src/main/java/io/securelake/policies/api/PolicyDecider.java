package io.securelake.policies.api;

/**
 * Decisions of one Ranger service of one environment, by Ranger's own policy engine over the current
 * policies. Every call is audited. Implementations are thread-safe and pick up policy changes live.
 */
public interface PolicyDecider extends AutoCloseable {

    String environment();

    /** The Ranger service, e.g. {@code dev_kafka}. */
    String serviceName();

    AccessDecision decide(AccessRequest request);

    /** Column masking (hive); {@code request.resource()} names database, table and column. */
    MaskDecision mask(AccessRequest request);

    /** Row filtering (hive); {@code request.resource()} names database and table. */
    RowFilterDecision rowFilter(AccessRequest request);

    /** Version of the policies in force (increases on every reload). */
    long policyVersion();

    /**
     * Waits until policies newer than version {@code v} are in force (a reload after an edit); the readiness signal
     * for "my change is live", instead of sleeping.
     *
     * @return false if that did not happen within {@code timeout}
     */
    boolean awaitVersionAbove(long v, java.time.Duration timeout) throws InterruptedException;

    /**
     * Audits a decision the enforcement point took by rules of its own, outside the policies (a statement the
     * query server's allow-list refuses, the HDFS superuser), in the same trail as the policies' decisions.
     */
    AccessDecision recordExternal(AccessRequest request, AccessDecision decision);

    @Override
    void close();
}
