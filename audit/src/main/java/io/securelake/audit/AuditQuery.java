package io.securelake.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * What an auditor looks for. Empty fields match everything. {@code resource} matches a substring of the
 * record's resource, or a prefix when it ends with {@code *}.
 */
public record AuditQuery(Optional<String> user, Optional<String> resource, Optional<AuditRecord.Result> result,
                         Optional<Instant> since, Optional<Instant> until, Optional<String> stage,
                         Optional<String> service, int limit) {

    public AuditQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1: " + limit);
        }
    }

    public static AuditQuery all() {
        return new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Integer.MAX_VALUE);
    }

    public AuditQuery withUser(String u) {
        return new AuditQuery(Optional.of(u), resource, result, since, until, stage, service, limit);
    }

    public AuditQuery withResource(String r) {
        return new AuditQuery(user, Optional.of(r), result, since, until, stage, service, limit);
    }

    public AuditQuery withResult(AuditRecord.Result r) {
        return new AuditQuery(user, resource, Optional.of(r), since, until, stage, service, limit);
    }

    public AuditQuery withSince(Instant t) {
        return new AuditQuery(user, resource, result, Optional.of(t), until, stage, service, limit);
    }

    public AuditQuery withUntil(Instant t) {
        return new AuditQuery(user, resource, result, since, Optional.of(t), stage, service, limit);
    }

    public AuditQuery withStage(String s) {
        return new AuditQuery(user, resource, result, since, until, Optional.of(s), service, limit);
    }

    public AuditQuery withService(String s) {
        return new AuditQuery(user, resource, result, since, until, stage, Optional.of(s), limit);
    }

    public AuditQuery withLimit(int n) {
        return new AuditQuery(user, resource, result, since, until, stage, service, n);
    }

    public boolean matches(AuditRecord r) {
        return user.map(u -> u.equals(r.user())).orElse(true)
                && resource.map(q -> q.endsWith("*")
                        ? r.resource().startsWith(q.substring(0, q.length() - 1))
                        : r.resource().contains(q)).orElse(true)
                && result.map(x -> x == r.result()).orElse(true)
                // a summary matches when any part of its span does
                && since.map(t -> !(r.summary() == null ? r.time() : r.summary().last()).isBefore(t)).orElse(true)
                && until.map(t -> r.time().isBefore(t)).orElse(true)
                && stage.map(s -> s.equals(r.stage())).orElse(true)
                && service.map(s -> s.equals(r.service())).orElse(true);
    }
}
