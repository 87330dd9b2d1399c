package io.securelake.audit;

import java.time.Instant;
import java.util.List;

final class Records {
    private Records() {
    }

    static AuditRecord record(int i, String user, AuditRecord.Result result) {
        return new AuditRecord(Instant.parse("2026-11-25T10:00:00Z").plusMillis(i), "dev", "kafka", "dev_kafka",
                user, List.of("analysts"), "127.0.0.1", "topic=dev.raw.payments", "publish", result,
                result == AuditRecord.Result.ALLOWED ? "7:ingest-payments" : null,
                result == AuditRecord.Result.ALLOWED ? "allowed by policy" : "no policy grants publish", "req-" + i);
    }
}
