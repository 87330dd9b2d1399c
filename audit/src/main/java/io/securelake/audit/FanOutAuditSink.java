package io.securelake.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes every record to several sinks (e.g. the local trail and the spooled HDFS trail). Each sink is
 * tried even when another fails; the first failure is rethrown with the others attached.
 */
public final class FanOutAuditSink implements AuditSink {
    private final List<AuditSink> sinks;

    public FanOutAuditSink(List<AuditSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    @Override
    public void write(AuditRecord record) {
        each(s -> s.write(record));
    }

    @Override
    public void flush() {
        each(AuditSink::flush);
    }

    @Override
    public void close() {
        each(AuditSink::close);
    }

    private interface Step {
        void apply(AuditSink sink);
    }

    private void each(Step step) {
        List<RuntimeException> failures = new ArrayList<>();
        for (AuditSink s : sinks) {
            try {
                step.apply(s);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    @Override
    public String toString() {
        return "FanOutAuditSink" + sinks;
    }
}
