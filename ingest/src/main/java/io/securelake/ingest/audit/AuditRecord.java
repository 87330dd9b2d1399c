package io.securelake.ingest.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One audited decision of the ingest path. Minimal on purpose: the platform's audit module will define the
 * shared record; this one maps onto it field by field. Never carries personal data: details hold ids,
 * coordinates and reasons only.
 *
 * @param actor    the authenticated principal that acted
 * @param action   e.g. {@code ingest.reject}
 * @param resource e.g. the topic the event was meant for
 * @param outcome  {@code denied}, {@code allowed} or {@code failed}
 */
public record AuditRecord(Instant time, String environment, String actor, String action, String resource,
                          String outcome, String reason, Map<String, String> details) {
    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        details = Map.copyOf(details);
    }
}
