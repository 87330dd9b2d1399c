package io.securelake.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One authorization decision at one stage of the platform, allowed or denied.
 *
 * @param time          when the decision was taken
 * @param environment   environment name, e.g. {@code dev}
 * @param stage         the enforcing component / Ranger service type, e.g. {@code kafka}, {@code hdfs}
 * @param service       the Ranger service whose policies decided, e.g. {@code dev_kafka}
 * @param user          the short user name the decision was taken for
 * @param groups        the groups the user was resolved to at decision time
 * @param clientAddress the client's address, or {@code null} when the stage does not know it
 * @param resource      the resource in Ranger's notation, e.g. {@code topic=dev.raw.payments}
 * @param action        the Ranger access type, e.g. {@code publish}
 * @param result        allowed or denied
 * @param policy        the deciding policy as {@code id:name}, or {@code null} when no policy matched
 * @param reason        why, in words (e.g. "no policy grants publish")
 * @param requestId     correlates records of one client request (e.g. a Kafka correlation id)
 * @param summary       null for one decision; otherwise this record stands for {@link Summary#count()}
 *                      decisions identical to it in every other field, taken from {@code time} to
 *                      {@link Summary#last()} (their request ids are not kept)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"time", "environment", "stage", "service", "user", "groups", "clientAddress", "resource",
        "action", "result", "policy", "reason", "requestId", "summary"})
public record AuditRecord(Instant time, String environment, String stage, String service, String user,
                          List<String> groups, String clientAddress, String resource, String action,
                          Result result, String policy, String reason, String requestId,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Summary summary) {

    public enum Result { ALLOWED, DENIED }

    /**
     * Repeated identical decisions recorded once, as Ranger's audit summarisation does for busy services:
     * {@code count} decisions between the record's time and {@code last}. Absent from single decisions, so
     * their lines are what they always were.
     */
    @JsonPropertyOrder({"count", "last"})
    public record Summary(long count, Instant last) {
        public Summary {
            if (count < 1) {
                throw new IllegalArgumentException("a summary stands for at least one decision, not " + count);
            }
            Objects.requireNonNull(last, "last");
        }
    }

    /** One decision. */
    public AuditRecord(Instant time, String environment, String stage, String service, String user,
                       List<String> groups, String clientAddress, String resource, String action,
                       Result result, String policy, String reason, String requestId) {
        this(time, environment, stage, service, user, groups, clientAddress, resource, action, result, policy,
                reason, requestId, null);
    }

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(user, "user");
        groups = groups == null ? List.of() : List.copyOf(groups);
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(result, "result");
        reason = reason == null ? "" : reason;
        requestId = requestId == null ? "" : requestId;
    }

    public boolean allowed() {
        return result == Result.ALLOWED;
    }

    /** How many decisions this record stands for. */
    public long decisions() {
        return summary == null ? 1 : summary.count();
    }

    /** This record standing for {@code count} identical decisions from its time to {@code last}, without a request id. */
    public AuditRecord summarizing(long count, Instant first, Instant last) {
        return new AuditRecord(first, environment, stage, service, user, groups, clientAddress, resource, action,
                result, policy, reason, "", new Summary(count, last));
    }
}
