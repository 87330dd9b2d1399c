package io.securelake.audit;

import java.time.Instant;

/**
 * The summary window of one repeated question or event: the first occurrence is written in full and opens
 * the window; occurrences after it within the window are only counted, and one {@link AuditRecord.Summary}
 * record (how many, from when to when) stands for them when the window closes, as Ranger's own audit
 * summarisation does for busy services. Used by the policy engine for repeated decisions and by the KDC's
 * audit for floods of failed logins. Thread-safe; the owner decides when windows close and writes the
 * summaries (a summary is returned, never written here).
 */
public class SummaryWindow {
    private AuditRecord opened;          // the full record that opened the window; null: no window
    private long windowStart;
    private long repeats;
    private long firstRepeat;
    private long lastRepeat;
    private long lastUsed;
    private boolean retired;

    public SummaryWindow(long now) {
        this.lastUsed = now;
    }

    /** Counts one more occurrence if the window is open; false: the caller writes a full record. */
    public synchronized boolean repeat(long now, long windowMillis) {
        lastUsed = now;
        if (retired || opened == null || now - windowStart >= windowMillis) {
            return false;
        }
        if (repeats++ == 0) {
            firstRepeat = now;
        }
        lastRepeat = now;
        counted();
        return true;
    }

    /** Called under the window's lock for each counted repeat, before {@link #repeat} returns; nothing by default. */
    protected void counted() {
    }

    /** The window's repeats as one record (null if none), the window closed. */
    public synchronized AuditRecord close() {
        AuditRecord summary = repeats == 0 ? null : summarize(opened.summarizing(repeats,
                Instant.ofEpochMilli(firstRepeat), Instant.ofEpochMilli(lastRepeat)));
        opened = null;
        repeats = 0;
        return summary;
    }

    /**
     * The summary record of a closing window, under the window's lock; by default the opening record standing
     * for the repeats. Owners whose repeats differ from it in some field say so here.
     */
    protected AuditRecord summarize(AuditRecord summary) {
        return summary;
    }

    /**
     * After the caller wrote {@code record} in full: occurrences until {@code now + window} are counted. If
     * another caller opened a window meanwhile, that one stays (its count is kept) and this record simply
     * stands for itself.
     */
    public synchronized void open(AuditRecord record, long now) {
        if (!retired && opened == null) {
            opened = record;
            windowStart = now;
            repeats = 0;
        }
    }

    /** Closes for good: later repeats are refused (their callers write full records). */
    public synchronized AuditRecord retire() {
        retired = true;
        return close();
    }

    public synchronized boolean idleSince(long cutoff) {
        return lastUsed < cutoff && repeats == 0;
    }

    public synchronized boolean windowEnded(long now, long windowMillis) {
        return opened != null && now - windowStart >= windowMillis;
    }
}
