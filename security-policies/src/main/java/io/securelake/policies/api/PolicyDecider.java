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

    @Override
    void close();
}
