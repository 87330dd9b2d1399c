package io.securelake.lakewriter.internals;

/**
 * The points of the commit protocol (docs/RAW-ZONE.md, "How offsets and files commit together"), in the order a
 * commit passes them. {@link RawZoneCommitter} reports each to its {@link CommitHook} right after the step's
 * effect is on HDFS, so a hook that throws leaves the raw zone exactly as a crash at that moment would. The
 * fault-injection tests run over every constant: a new step is a new constant, and is tested the moment it exists.
 */
public enum CommitStep {
    /** Step 1 done: every file of the batch flushed, hsync'ed and closed; nothing points at them yet. */
    FILES_SYNCED(false),
    /** Step 2 done: the manifest is durable under {@code _commits/_tmp/}, not yet renamed. */
    MANIFEST_WRITTEN(false),
    /** Step 3 done, the commit point: the manifest holds its final name; the range is committed. */
    MANIFEST_RENAMED(true),
    /** Step 4, after each file moved into its time partition (once per file; a recovery's renames report it too). */
    FILE_RENAMED(true),
    /** Step 5: the batch's temporary directory deleted. */
    BATCH_TMP_DELETED(true),
    /** Step 5: a manifest beyond the retained ones deleted (once per manifest; recovery prunes too). */
    MANIFEST_PRUNED(true),
    /** Step 5 and recovery: a temporary batch or manifest that can never commit deleted (once per entry). */
    DEAD_TEMPORARY_DELETED(true),
    /** Step 5, last: about to hand {@code last + 1} to Kafka, which keeps it for lag monitoring only. */
    KAFKA_OFFSET_COMMIT(true);

    private final boolean batchCommitted;

    CommitStep(boolean batchCommitted) {
        this.batchCommitted = batchCommitted;
    }

    /** Whether a batch whose commit reached this step is committed, whatever happens to the writer next. */
    public boolean batchCommitted() {
        return batchCommitted;
    }
}
